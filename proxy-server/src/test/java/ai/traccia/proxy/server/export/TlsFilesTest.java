/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsFilesTest {

  @TempDir static Path certificates;
  static TestCertificates tls;
  @TempDir Path dir;

  @BeforeAll
  static void generateCertificates() throws Exception {
    tls = TestCertificates.generate(certificates);
  }

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content, US_ASCII);
    return file;
  }

  /** The value of the OCTET STRING that ends a PKCS#8 structure: the algorithm's own key. */
  private static byte[] innerKey(byte[] pkcs8) {
    int[] pos = {0};
    readHeader(pkcs8, pos); // SEQUENCE
    skip(pkcs8, pos); // version
    skip(pkcs8, pos); // algorithm
    int length = readHeader(pkcs8, pos); // OCTET STRING
    return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + length);
  }

  private static int readHeader(byte[] der, int[] pos) {
    pos[0]++; // tag
    int first = der[pos[0]++] & 0xFF;
    if (first < 0x80) {
      return first;
    }
    int length = 0;
    for (int i = 0; i < (first & 0x7F); i++) {
      length = length << 8 | (der[pos[0]++] & 0xFF);
    }
    return length;
  }

  private static void skip(byte[] der, int[] pos) {
    int length = readHeader(der, pos);
    pos[0] += length;
  }

  @Test
  void privateKey_readsPkcs8RsaAndEcKeys() {
    PrivateKey rsa = TlsFiles.privateKey(tls.client.privateKeyPem);
    PrivateKey ec = TlsFiles.privateKey(tls.server.privateKeyPem);

    assertThat(rsa.getEncoded()).isEqualTo(tls.client.privateKey.getEncoded());
    assertThat(ec.getEncoded()).isEqualTo(tls.server.privateKey.getEncoded());
  }

  @Test
  void privateKey_readsPkcs1Rsa() throws Exception {
    byte[] pkcs1 = innerKey(tls.client.privateKey.getEncoded());
    Path file = write("rsa.key", TestCertificates.pem("RSA PRIVATE KEY", pkcs1));

    RSAPrivateCrtKey key = (RSAPrivateCrtKey) TlsFiles.privateKey(file);

    RSAPrivateCrtKey expected = (RSAPrivateCrtKey) tls.client.privateKey;
    assertThat(key.getModulus()).isEqualTo(expected.getModulus());
    assertThat(key.getPrivateExponent()).isEqualTo(expected.getPrivateExponent());
  }

  @Test
  void privateKey_readsSec1EcWithItsCurve_afterOtherBlocks() throws Exception {
    BigInteger s = ((ECPrivateKey) tls.server.privateKey).getS();
    byte[] scalar = new byte[32];
    byte[] raw = s.toByteArray();
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, scalar, 32 - copy, copy);
    ByteArrayOutputStream sec1 = new ByteArrayOutputStream();
    sec1.writeBytes(new byte[] {0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20});
    sec1.writeBytes(scalar);
    // [0] { OID 1.2.840.10045.3.1.7 (P-256) }
    sec1.writeBytes(
        new byte[] {
          (byte) 0xa0,
          0x0a,
          0x06,
          0x08,
          0x2a,
          (byte) 0x86,
          0x48,
          (byte) 0xce,
          0x3d,
          0x03,
          0x01,
          0x07
        });
    Path file =
        write(
            "ec.key",
            TestCertificates.pem("EC PARAMETERS", new byte[] {0x06, 0x01, 0x00})
                + TestCertificates.pem("EC PRIVATE KEY", sec1.toByteArray()));

    ECPrivateKey key = (ECPrivateKey) TlsFiles.privateKey(file);

    assertThat(key.getS()).isEqualTo(s);
  }

  @Test
  void privateKey_problemsNameTheFileAndTheFix() throws Exception {
    Path encrypted = write("enc.key", TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[8]));
    Path certificateOnly = tls.client.certificatePem;
    Path missing = dir.resolve("missing.key");

    assertThatThrownBy(() -> TlsFiles.privateKey(encrypted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "private key "
                + encrypted
                + ": the key is encrypted (expected: an unencrypted key; decrypt it with `openssl"
                + " pkcs8 -topk8 -nocrypt -in "
                + encrypted
                + "`)");
    assertThatThrownBy(() -> TlsFiles.privateKey(certificateOnly))
        .hasMessage(
            "private key "
                + certificateOnly
                + ": no private key found (expected: PEM with -----BEGIN PRIVATE KEY-----, -----BEGIN"
                + " RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
    assertThatThrownBy(() -> TlsFiles.privateKey(missing))
        .hasMessage("private key " + missing + ": no such file (expected: a readable PEM file)");
  }

  @Test
  void trustManagers_trustExactlyTheCaFile() throws Exception {
    TrustManager[] managers = TlsFiles.trustManagers(tls.server.certificatePem);

    X509TrustManager trust = (X509TrustManager) managers[0];
    assertThat(trust.getAcceptedIssuers()).containsExactly(tls.server.certificate);
    assertThat(TlsFiles.trustManagers(null)).isNull();
  }

  @Test
  void trustManagers_fileWithoutCertificates() throws Exception {
    Path notPem = dir.resolve("ca.der");
    Files.write(notPem, tls.server.certificate.getEncoded());

    assertThatThrownBy(() -> TlsFiles.trustManagers(notPem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "CA file "
                + notPem
                + ": no certificate found (expected: PEM with -----BEGIN CERTIFICATE-----)");
  }

  @Test
  void keyManagers_presentTheCertificateWithItsKey() {
    KeyManager[] managers =
        TlsFiles.keyManagers(tls.client.certificatePem, tls.client.privateKeyPem);

    X509KeyManager keys = (X509KeyManager) managers[0];
    assertThat(keys.getCertificateChain("client")).containsExactly(tls.client.certificate);
    assertThat(keys.getPrivateKey("client").getEncoded())
        .isEqualTo(tls.client.privateKey.getEncoded());
    assertThat(TlsFiles.keyManagers(null, null)).isNull();
  }

  @Test
  void keyManagers_keyOfAnotherCertificate_isRefused() {
    Path certificate = tls.client.certificatePem;
    Path otherKey = tls.server.privateKeyPem;

    assertThatThrownBy(() -> TlsFiles.keyManagers(certificate, otherKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "client certificate "
                + certificate
                + ": its public key does not match the private key in "
                + otherKey
                + " (expected: the key the certificate was issued for)");
    assertThatThrownBy(() -> TlsFiles.keyManagers(certificate, null))
        .hasMessage(
            "client certificate: certificate "
                + certificate
                + " given alone (expected: both a client certificate and its private key)");
  }

  @Test
  void sslContext_withEverything() {
    SSLContext context =
        TlsFiles.sslContext(
            tls.server.certificatePem, tls.client.certificatePem, tls.client.privateKeyPem);

    assertThat(context.getProtocol()).isEqualTo("TLS");
  }
}
