/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.export.TlsFiles;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the OTLP receivers: one server certificate (and, for mutual TLS, one set of client CAs)
 * for the gRPC and the HTTP port, read from PEM files and read again when they change.
 *
 * <p>Design. Both receivers' SSL contexts are built once, around a key manager and a trust manager
 * of our own that delegate to the material currently loaded. A reload swaps that material in one
 * volatile write, so new handshakes on both ports use it at once while open connections keep what
 * they negotiated; nothing about the Netty servers has to be rebuilt. The files are parsed by
 * {@link TlsFiles}, the exporters' parser, so both sides accept the same PEM keys. A change is
 * noticed by hashing the files' bytes every {@code reloadInterval} (modification times miss the
 * symlink swaps Kubernetes makes for mounted secrets); files that fail to parse, or a key that does
 * not match its certificate, are logged once per content and the material in use is kept.
 *
 * <p>Thread-safe. {@link #close()} stops the reload checks and is idempotent.
 */
public final class ReceiverTls implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(ReceiverTls.class);

  private final Path certFile;
  private final Path keyFile;
  private final Path clientCaFile;
  private final String[] protocols;
  private final ReloadingKeyManager keyManager;
  private final ReloadingTrustManager trustManager;
  private final SslContext httpContext;
  private final SslContext grpcContext;
  private final Object reloadLock = new Object();
  private ScheduledExecutorService reloader;

  // Guarded by reloadLock: the digest of the files in use, and of the last files that failed.
  private byte[] loadedDigest;
  private byte[] failedDigest;
  private int generation;

  private ReceiverTls(Path certFile, Path keyFile, Path clientCaFile, String minVersion) {
    this.certFile = Objects.requireNonNull(certFile, "certFile");
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    this.clientCaFile = clientCaFile;
    this.protocols = protocols(minVersion);
    byte[] digest = digest();
    Material material = load(0);
    this.loadedDigest = digest;
    this.keyManager = new ReloadingKeyManager(material);
    this.trustManager = clientCaFile == null ? null : new ReloadingTrustManager(material.trust);
    try {
      this.httpContext = buildHttpContext();
      this.grpcContext = buildGrpcContext();
    } catch (SSLException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS with server certificate " + certFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads the files and, when {@code reloadInterval} is positive, checks them for changes at that
   * interval on a daemon thread.
   *
   * @param clientCaFile CAs whose client certificates are accepted; null when clients need none
   * @param minVersion {@code "1.2"} or {@code "1.3"}
   * @throws IllegalArgumentException naming the file, when a file cannot be read or parsed, or the
   *     key does not match the certificate
   */
  public static ReceiverTls start(
      Path certFile, Path keyFile, Path clientCaFile, String minVersion, Duration reloadInterval) {
    ReceiverTls tls = new ReceiverTls(certFile, keyFile, clientCaFile, minVersion);
    long millis = reloadInterval.toMillis();
    if (millis > 0) {
      ScheduledExecutorService reloader =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "traccia-tls-reload");
                t.setDaemon(true);
                return t;
              });
      reloader.scheduleWithFixedDelay(tls::reloadQuietly, millis, millis, TimeUnit.MILLISECONDS);
      synchronized (tls.reloadLock) {
        tls.reloader = reloader;
      }
    }
    return tls;
  }

  /** The SSL context of the OTLP/HTTP receiver (Netty). */
  SslContext httpContext() {
    return httpContext;
  }

  /** The SSL context of the OTLP/gRPC receiver (with ALPN for h2). */
  SslContext grpcContext() {
    return grpcContext;
  }

  /** Whether clients must present a certificate. */
  boolean requiresClientCertificate() {
    return trustManager != null;
  }

  /**
   * Reads the files now and installs them if their content changed and they are valid; returns
   * whether new material was installed. Problems are logged, never thrown.
   */
  boolean reload() {
    synchronized (reloadLock) {
      byte[] digest;
      try {
        digest = digest();
      } catch (IllegalArgumentException e) {
        logger.warn("Receiver TLS: {}; the certificate in use is kept", e.getMessage());
        return false;
      }
      if (Arrays.equals(digest, loadedDigest) || Arrays.equals(digest, failedDigest)) {
        return false;
      }
      Material material;
      try {
        material = load(generation + 1);
      } catch (IllegalArgumentException e) {
        failedDigest = digest;
        logger.warn(
            "Receiver TLS: the changed files cannot be used ({}); the certificate in use is kept",
            e.getMessage());
        return false;
      }
      generation++;
      loadedDigest = digest;
      failedDigest = null;
      keyManager.install(material);
      if (trustManager != null) {
        trustManager.install(material.trust);
      }
      logger.info(
          "Receiver TLS: loaded the changed certificate {}{}; new connections use it",
          certFile,
          clientCaFile == null ? "" : " and client CAs " + clientCaFile);
      return true;
    }
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again; reloading must go on.
      logger.warn("Receiver TLS: reloading the certificate failed", e);
    }
  }

  @Override
  public void close() {
    synchronized (reloadLock) {
      if (reloader != null) {
        reloader.shutdownNow();
        reloader = null;
      }
    }
  }

  private SslContext buildHttpContext() throws SSLException {
    return withClientAuth(SslContextBuilder.forServer(keyManager)).build();
  }

  // The same settings, and ALPN offering h2 as gRPC clients require.
  private SslContext buildGrpcContext() throws SSLException {
    return withClientAuth(GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager)))
        .build();
  }

  private SslContextBuilder withClientAuth(SslContextBuilder builder) {
    builder.protocols(protocols);
    if (trustManager != null) {
      builder.trustManager(trustManager).clientAuth(ClientAuth.REQUIRE);
    }
    return builder;
  }

  private static String[] protocols(String minVersion) {
    switch (minVersion) {
      case "1.2":
        return new String[] {"TLSv1.3", "TLSv1.2"};
      case "1.3":
        return new String[] {"TLSv1.3"};
      default:
        throw new IllegalArgumentException(
            "server.tls_min_version: " + minVersion + " (expected: one of 1.2, 1.3)");
    }
  }

  private Material load(int generation) {
    X509ExtendedKeyManager keys =
        single(
            TlsFiles.keyManagers(certFile, keyFile, "server certificate"),
            X509ExtendedKeyManager.class,
            certFile);
    X509ExtendedTrustManager trust =
        clientCaFile == null
            ? null
            : single(
                TlsFiles.trustManagers(clientCaFile), X509ExtendedTrustManager.class, clientCaFile);
    return new Material(generation, keys, trust);
  }

  private static <T> T single(Object[] managers, Class<T> type, Path file) {
    for (Object manager : managers) {
      if (type.isInstance(manager)) {
        return type.cast(manager);
      }
    }
    throw new IllegalArgumentException(
        file + ": this JVM gave no " + type.getSimpleName() + " for it");
  }

  /** SHA-256 over the three files' bytes, each preceded by its length. */
  private byte[] digest() {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (Path file :
        clientCaFile == null
            ? List.of(certFile, keyFile)
            : List.of(certFile, keyFile, clientCaFile)) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
      }
      sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) 0);
      sha.update(bytes);
    }
    return sha.digest();
  }

  /** One loaded set of files. Immutable. */
  private static final class Material {
    final int generation;
    final X509ExtendedKeyManager keys;
    final X509ExtendedTrustManager trust;

    Material(int generation, X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
      this.generation = generation;
      this.keys = keys;
      this.trust = trust;
    }
  }

  /**
   * Presents the server certificate currently loaded. An alias is prefixed with its generation, so
   * that a handshake that chose its alias just before a reload still gets the chain and the key of
   * one and the same load.
   */
  static final class ReloadingKeyManager extends X509ExtendedKeyManager {
    // The current and the previous material: a handshake spans at most one swap in practice.
    private volatile Material current;
    private volatile Material previous;

    ReloadingKeyManager(Material material) {
      this.current = material;
      this.previous = material;
    }

    void install(Material material) {
      previous = current;
      current = material;
    }

    private static String tag(Material m, String alias) {
      return alias == null ? null : m.generation + ":" + alias;
    }

    private Material materialOf(String alias) {
      if (alias == null) {
        return null;
      }
      int colon = alias.indexOf(':');
      if (colon < 0) {
        return null;
      }
      String generation = alias.substring(0, colon);
      Material now = current;
      if (generation.equals(Integer.toString(now.generation))) {
        return now;
      }
      Material before = previous;
      return generation.equals(Integer.toString(before.generation)) ? before : null;
    }

    private static String untag(String alias) {
      return alias.substring(alias.indexOf(':') + 1);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      Material m = current;
      return tag(m, m.keys.chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      Material m = current;
      return tag(m, m.keys.chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      Material m = current;
      String[] aliases = m.keys.getServerAliases(keyType, issuers);
      if (aliases == null) {
        return null;
      }
      String[] tagged = new String[aliases.length];
      for (int i = 0; i < aliases.length; i++) {
        tagged[i] = tag(m, aliases[i]);
      }
      return tagged;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Material m = materialOf(alias);
      return m == null ? null : m.keys.getCertificateChain(untag(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Material m = materialOf(alias);
      return m == null ? null : m.keys.getPrivateKey(untag(alias));
    }

    // A server never acts as a client.
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return null;
    }
  }

  /** Checks client certificates against the client CAs currently loaded. */
  static final class ReloadingTrustManager extends X509ExtendedTrustManager {
    private volatile X509ExtendedTrustManager current;

    ReloadingTrustManager(X509ExtendedTrustManager trust) {
      this.current = trust;
    }

    void install(X509ExtendedTrustManager trust) {
      current = trust;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      current.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("the receivers do not check server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("the receivers do not check server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("the receivers do not check server certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.getAcceptedIssuers();
    }
  }
}
