/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import java.io.IOException;

/**
 * Answers the requests for one path of the admin port.
 *
 * <p>A handler added with {@link AdminServer.Builder#addPage} runs on the admin server's small
 * rendering executor and may take a while (it holds up only other pages, never the probes); one
 * added with {@link AdminServer.Builder#addProbe} runs on the event loop and must return at once
 * without blocking. Handlers are called from several threads over time and must be thread-safe.
 */
@FunctionalInterface
public interface AdminHandler {

  /**
   * Returns the response to {@code request}; a thrown exception becomes a 500 and is logged.
   *
   * @throws IOException if the response could not be rendered
   */
  AdminResponse handle(AdminRequest request) throws IOException;
}
