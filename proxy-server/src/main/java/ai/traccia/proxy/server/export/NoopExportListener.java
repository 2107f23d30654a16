/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

/** The listener behind {@link ExportListener#noop()}: every method does nothing. */
final class NoopExportListener implements ExportListener {
  static final NoopExportListener INSTANCE = new NoopExportListener();

  private NoopExportListener() {}
}
