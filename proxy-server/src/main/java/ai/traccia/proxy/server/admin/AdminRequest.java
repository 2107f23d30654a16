/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import java.util.List;
import java.util.Map;

/**
 * A request to the admin port, as a handler sees it: always a {@code GET} or {@code HEAD} without a
 * body (the server answers everything else itself).
 *
 * @param path the decoded path, such as {@code /metrics}
 * @param parameters the decoded query parameters, in order; empty when there is no query
 * @param head whether the method is {@code HEAD}; the server drops the body itself, so handlers may
 *     ignore it
 */
public record AdminRequest(String path, Map<String, List<String>> parameters, boolean head) {

  /** Copies {@code parameters}, so the request is immutable. */
  public AdminRequest {
    parameters = Map.copyOf(parameters);
  }
}
