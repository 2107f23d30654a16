/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

/**
 * Run by {@link SignalsTest} in a JVM of its own, with SIGHUP ignored or not: prints what {@link
 * Signals} sees before and after installing its handlers, then exits.
 */
final class SignalsProbe {

  private SignalsProbe() {}

  public static void main(String[] args) {
    System.out.println("before install: hangUpIgnored=" + Signals.hangUpIgnored());
    Signals.install();
    System.out.println("after install: hangUpIgnored=" + Signals.hangUpIgnored());
    System.out.flush();
    System.exit(0);
  }
}
