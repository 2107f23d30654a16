/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free local ports for the processes a harness starts. */
final class Ports {

  private Ports() {}

  /**
   * Returns {@code n} distinct ports that were free a moment ago: all are held open together, so
   * none is returned twice, then released for the processes to bind.
   */
  static int[] free(int n) throws IOException {
    int[] ports = new int[n];
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
    return ports;
  }
}
