/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Caps the admin port's open connections. Past the cap a new connection closes the oldest one that
 * is not being answered, so a crowd of idle or half-sent connections cannot lock probes out; only
 * when every open connection is being answered is the new one closed instead.
 *
 * <p>Not thread-safe: used only from the admin server's single event-loop thread.
 */
final class ConnectionLimiter {

  private final int max;
  // Oldest first.
  private final Set<AdminConnection> open = new LinkedHashSet<>();

  ConnectionLimiter(int max) {
    this.max = max;
  }

  /** Admits {@code connection}, making room if needed; false if it must be closed instead. */
  boolean admit(AdminConnection connection) {
    if (open.size() >= max) {
      AdminConnection victim = null;
      for (AdminConnection c : open) {
        if (!c.serving()) {
          victim = c;
          break;
        }
      }
      if (victim == null) {
        return false;
      }
      open.remove(victim);
      victim.close();
    }
    open.add(connection);
    return true;
  }

  void closed(AdminConnection connection) {
    open.remove(connection);
  }

  int open() {
    return open.size();
  }
}
