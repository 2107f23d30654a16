/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Loads the PEM files that TLS settings name: a CA bundle to trust instead of the system trust
 * store, and a certificate chain with its private key. Used by the OTLP/HTTP and the OTLP/gRPC
 * exporters (client certificates for mutual TLS) and by the receivers (the server certificate and
 * the CAs of client certificates), so all of them accept the same files and report the same
 * problems.
 *
 * <p>Private keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE
 * KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}); encrypted keys are refused with the command that
 * decrypts them. Every problem is an {@link IllegalArgumentException} naming the file, thrown while
 * the exporter is built, so a bad file stops the proxy at startup.
 */
public final class TlsFiles {

  private static final Pattern PEM_BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----", Pattern.DOTALL);
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private TlsFiles() {}

  /**
   * Trust managers that trust exactly the certificates in {@code caFile}, or null for the JVM's
   * default trust store when {@code caFile} is null.
   */
  public static TrustManager[] trustManagers(Path caFile) {
    if (caFile == null) {
      return null;
    }
    List<X509Certificate> certificates = certificates(caFile, "CA file");
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          "CA file " + caFile + ": cannot build a trust store from it: " + e.getMessage(), e);
    }
  }

  /**
   * Key managers that present the certificate chain in {@code certificateFile} with the key in
   * {@code keyFile}, or null when both are null.
   */
  static KeyManager[] keyManagers(Path certificateFile, Path keyFile) {
    return keyManagers(certificateFile, keyFile, "client certificate");
  }

  /**
   * Key managers that present the certificate chain in {@code certificateFile} with the key in
   * {@code keyFile}, or null when both are null; problems name the files and {@code what} they are
   * ("client certificate", "server certificate").
   */
  public static KeyManager[] keyManagers(Path certificateFile, Path keyFile, String what) {
    if (certificateFile == null && keyFile == null) {
      return null;
    }
    if (certificateFile == null || keyFile == null) {
      throw new IllegalArgumentException(
          what
              + ": "
              + (certificateFile == null ? "key file " + keyFile : "certificate " + certificateFile)
              + " given alone (expected: both a "
              + what
              + " and its private key)");
    }
    List<X509Certificate> chain = certificates(certificateFile, what);
    PrivateKey key = privateKey(keyFile);
    checkKeyMatches(key, chain.get(0), certificateFile, keyFile, what);
    try {
      char[] password = new char[0];
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          what
              + " "
              + certificateFile
              + " with key "
              + keyFile
              + ": cannot build a key store: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * An SSL context with the given CA file (null: the system trust store) and client certificate
   * (both null: none).
   */
  static SSLContext sslContext(Path caFile, Path certificateFile, Path keyFile) {
    TrustManager[] trust = trustManagers(caFile);
    KeyManager[] keys = keyManagers(certificateFile, keyFile);
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot initialise TLS: " + e.getMessage(), e);
    }
  }

  static List<X509Certificate> certificates(Path file, String what) {
    String pem = read(file, what);
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Matcher block = PEM_BLOCK.matcher(pem);
      while (block.find()) {
        if (!block.group(1).equals("CERTIFICATE")) {
          continue;
        }
        byte[] der = Base64.getMimeDecoder().decode(block.group(2));
        Collection<? extends Certificate> parsed =
            factory.generateCertificates(new ByteArrayInputStream(der));
        for (Certificate certificate : parsed) {
          certificates.add((X509Certificate) certificate);
        }
      }
    } catch (CertificateException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          what + " " + file + ": not a valid PEM certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          what
              + " "
              + file
              + ": no certificate found (expected: PEM with -----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  static PrivateKey privateKey(Path file) {
    String pem = read(file, "private key");
    Matcher block = PEM_BLOCK.matcher(pem);
    while (block.find()) {
      String type = block.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(block.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "private key " + file + ": the " + type + " block is not valid base64", e);
      }
      switch (type) {
        case "PRIVATE KEY":
          return pkcs8(file, der);
        case "RSA PRIVATE KEY":
          return pkcs8(file, wrapPkcs1(der));
        case "EC PRIVATE KEY":
          return pkcs8(file, wrapSec1(file, der));
        case "ENCRYPTED PRIVATE KEY":
          throw new IllegalArgumentException(
              "private key "
                  + file
                  + ": the key is encrypted (expected: an unencrypted key; decrypt it with"
                  + " `openssl pkcs8 -topk8 -nocrypt -in "
                  + file
                  + "`)");
        default:
          // Other blocks, such as EC PARAMETERS, may come before the key.
      }
    }
    throw new IllegalArgumentException(
        "private key "
            + file
            + ": no private key found (expected: PEM with -----BEGIN PRIVATE KEY-----, -----BEGIN"
            + " RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // Try the next algorithm.
      }
    }
    throw new IllegalArgumentException(
        "private key " + file + ": not an RSA, EC or EdDSA key this JVM can read");
  }

  /** PKCS#8 around a PKCS#1 RSA key: the algorithm identifier plus the key as an octet string. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00}); // version 0
    body.writeBytes(RSA_ALGORITHM);
    writeTlv(body, 0x04, pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeTlv(out, 0x30, body.toByteArray());
    return out.toByteArray();
  }

  /**
   * PKCS#8 around a SEC1 EC key. The curve is taken from the key's own parameters ([0]), which
   * OpenSSL always writes; PKCS#8 needs it in the algorithm identifier.
   */
  private static byte[] wrapSec1(Path file, byte[] sec1) {
    byte[] curve = null;
    int[] pos = {0};
    if (readTag(sec1, pos) != 0x30) {
      throw new IllegalArgumentException("private key " + file + ": malformed EC PRIVATE KEY");
    }
    int end = readLength(sec1, pos) + pos[0];
    while (pos[0] < end && curve == null) {
      int tag = readTag(sec1, pos);
      int length = readLength(sec1, pos);
      if (tag == 0xa0) {
        int start = pos[0];
        curve = java.util.Arrays.copyOfRange(sec1, start, start + length);
      }
      pos[0] += length;
    }
    if (curve == null) {
      throw new IllegalArgumentException(
          "private key "
              + file
              + ": the EC key does not name its curve (expected: OpenSSL's EC PRIVATE KEY with"
              + " parameters, or a PKCS#8 PRIVATE KEY)");
    }
    ByteArrayOutputStream algorithm = new ByteArrayOutputStream();
    algorithm.writeBytes(EC_PUBLIC_KEY_OID);
    algorithm.writeBytes(curve);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    writeTlv(body, 0x30, algorithm.toByteArray());
    writeTlv(body, 0x04, sec1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeTlv(out, 0x30, body.toByteArray());
    return out.toByteArray();
  }

  private static int readTag(byte[] der, int[] pos) {
    if (pos[0] >= der.length) {
      throw new IllegalArgumentException("truncated DER");
    }
    return der[pos[0]++] & 0xFF;
  }

  private static int readLength(byte[] der, int[] pos) {
    int first = readTag(der, pos);
    if (first < 0x80) {
      return first;
    }
    int bytes = first & 0x7F;
    if (bytes > 3) {
      throw new IllegalArgumentException("DER length too large");
    }
    int length = 0;
    for (int i = 0; i < bytes; i++) {
      length = length << 8 | readTag(der, pos);
    }
    return length;
  }

  private static void writeTlv(ByteArrayOutputStream out, int tag, byte[] value) {
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >> 16);
      out.write(length >> 8);
      out.write(length);
    }
    out.writeBytes(value);
  }

  /** Fails unless {@code key} signs what the certificate's public key verifies. */
  private static void checkKeyMatches(
      PrivateKey key,
      X509Certificate certificate,
      Path certificateFile,
      Path keyFile,
      String what) {
    String algorithm;
    switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "RSA":
        algorithm = "SHA256withRSA";
        break;
      case "EC":
        algorithm = "SHA256withECDSA";
        break;
      default:
        return; // Other key types are checked by the TLS handshake itself.
    }
    byte[] probe = "traccia-proxy key check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new IllegalArgumentException(
          what
              + " "
              + certificateFile
              + ": its public key does not match the private key in "
              + keyFile
              + " (expected: the key the certificate was issued for)");
    }
  }

  private static String read(Path file, String what) {
    try {
      // Latin-1 never fails to decode, so a binary (DER) file is reported as "no PEM found".
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          what + " " + file + ": no such file (expected: a readable PEM file)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          what + " " + file + ": cannot read it: " + e.getMessage(), e);
    }
  }
}
