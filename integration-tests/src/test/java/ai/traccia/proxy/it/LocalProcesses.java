/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** What the backends the tests run as processes (the Collector, Jaeger) share. Stateless. */
final class LocalProcesses {

  /** Every backend listens on loopback only. */
  static final String LOOPBACK = "127.0.0.1";

  private static final int CONNECT_TIMEOUT_MILLIS = 200;
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private LocalProcesses() {}

  /** Whether something accepts TCP connections on {@code port} of the loopback address now. */
  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), CONNECT_TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Asks {@code process} to stop, and kills it when it has not within a few seconds. */
  static void terminate(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Ports this JVM has handed out, so that processes started at once never get the same one. */
  private static final Set<Integer> ISSUED = ConcurrentHashMap.newKeySet();

  /**
   * Binds {@code count} distinct free loopback ports at once, then releases them. A port this JVM
   * handed out before is never handed out again, though the system may give it back: processes
   * started in parallel would otherwise race for it.
   */
  static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      InetAddress loopback = InetAddress.getByName(LOOPBACK);
      int[] ports = new int[count];
      for (int i = 0, tries = 0; i < count; tries++) {
        ServerSocket socket = new ServerSocket(0, 1, loopback);
        sockets.add(socket); // held until the end, so the system gives another port next
        if (ISSUED.add(socket.getLocalPort()) || tries > 1000) {
          ports[i++] = socket.getLocalPort();
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // Nothing to do: the port was only borrowed to learn its number.
        }
      }
    }
  }

  /**
   * A new directory for one backend's files: under {@code target/<subdir>} of the module when
   * running under Maven, else under the system's temporary directory.
   */
  static Path workDirectory(String subdir, String prefix, String what) {
    Path target = Path.of(System.getProperty("user.dir"), "target");
    try {
      Path parent =
          Files.isDirectory(target)
              ? Files.createDirectories(target.resolve(subdir))
              : Path.of(System.getProperty("java.io.tmpdir"));
      return Files.createTempDirectory(parent, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create a directory for " + what + " under " + target, e);
    }
  }
}
