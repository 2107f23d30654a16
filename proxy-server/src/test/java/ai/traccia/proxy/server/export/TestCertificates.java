/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates for TLS tests, made with the JDK's keytool: a server certificate for
 * 127.0.0.1 and localhost (EC P-256) and a client certificate (RSA 2048), each as a PKCS#12 key
 * store and as PEM files.
 */
public final class TestCertificates {

  static final char[] PASSWORD = "changeit".toCharArray();

  /** One generated identity. */
  public static final class Identity {
    public final Path keyStore;
    public final Path certificatePem;
    public final Path privateKeyPem;
    public final PrivateKey privateKey;
    public final X509Certificate certificate;

    Identity(
        Path keyStore,
        Path certificatePem,
        Path privateKeyPem,
        PrivateKey privateKey,
        X509Certificate certificate) {
      this.keyStore = keyStore;
      this.certificatePem = certificatePem;
      this.privateKeyPem = privateKeyPem;
      this.privateKey = privateKey;
      this.certificate = certificate;
    }

    public KeyManagerFactory keyManagerFactory() throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStore)) {
        store.load(in, PASSWORD);
      }
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, PASSWORD);
      return factory;
    }

    /** Trusts only this identity's certificate. */
    public TrustManagerFactory trustManagerFactory() throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("trusted", certificate);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    }

    /** A server context presenting this identity, optionally requiring {@code client}. */
    SSLContext serverContext(Identity client) throws Exception {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keyManagerFactory().getKeyManagers(),
          client == null ? null : client.trustManagerFactory().getTrustManagers(),
          null);
      return context;
    }
  }

  public final Identity server;
  public final Identity client;

  private TestCertificates(Identity server, Identity client) {
    this.server = server;
    this.client = client;
  }

  public static TestCertificates generate(Path dir) throws Exception {
    Identity server =
        identity(
            dir,
            "server",
            List.of("-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA"),
            "SAN=ip:127.0.0.1,dns:localhost");
    Identity client =
        identity(
            dir,
            "client",
            List.of("-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA"),
            null);
    return new TestCertificates(server, client);
  }

  private static Identity identity(Path dir, String name, List<String> keyOptions, String san)
      throws Exception {
    Path keyStore = dir.resolve(name + ".p12");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(
        List.of(
            "-genkeypair",
            "-alias",
            name,
            "-dname",
            "CN=" + (name.equals("server") ? "localhost" : "traccia-test-client"),
            "-validity",
            "2",
            "-keystore",
            keyStore.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            new String(PASSWORD),
            "-keypass",
            new String(PASSWORD)));
    command.addAll(keyOptions);
    if (san != null) {
      command.add("-ext");
      command.add(san);
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), US_ASCII);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      store.load(in, PASSWORD);
    }
    PrivateKey key = (PrivateKey) store.getKey(name, PASSWORD);
    X509Certificate certificate = (X509Certificate) store.getCertificate(name);
    Path certificatePem = dir.resolve(name + ".crt");
    Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()), US_ASCII);
    Path keyPem = dir.resolve(name + ".key");
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()), US_ASCII);
    return new Identity(keyStore, certificatePem, keyPem, key, certificate);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
