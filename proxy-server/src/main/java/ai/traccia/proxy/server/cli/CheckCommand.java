/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ConfigException;
import ai.traccia.proxy.config.ConfigProblem;
import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.config.Redaction;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code check [--endpoint URL]}: sends an empty OTLP trace export to the backend, with the
 * configured protocol, headers, API key, compression and TLS files, and reports exactly one
 * outcome: reachable, auth refused, TLS problem, wrong path, timeout, connection refused, unknown
 * host, another answer, or another failure.
 *
 * <p>An empty {@code ExportTraceServiceRequest} carries no spans, so a backend that accepts it
 * stores nothing. The timeout is {@code exporters.timeout_ms}, capped at 10 seconds. Exit code 0
 * only when the endpoint is reachable and accepted the request.
 */
@Command(
    name = "check",
    modelTransformer = KeyOptions.class,
    abbreviateSynopsis = true,
    mixinStandardHelpOptions = true,
    description =
        "Sends an empty OTLP export to the backend and reports whether it is reachable and"
            + " accepts the credentials. Exit code 0 only if it does.")
public final class CheckCommand implements Callable<Integer> {

  static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

  /** The one outcome a check reports. */
  enum Outcome {
    REACHABLE,
    AUTH_REFUSED,
    TLS_PROBLEM,
    WRONG_PATH,
    TIMEOUT,
    CONNECTION_REFUSED,
    UNKNOWN_HOST,
    OTHER_STATUS,
    FAILED
  }

  /** An outcome and the sentence that explains it. */
  record Result(Outcome outcome, String message) {}

  @Spec private CommandSpec spec;

  @Mixin private ConfigOptions configOptions = new ConfigOptions();

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "Endpoint to check instead of the configured one (tracing.endpoint).")
  private String endpoint;

  /** Creates the command; picocli calls this. */
  public CheckCommand() {}

  /** The shared options, to replace the environment and directories in tests. */
  public ConfigOptions configOptions() {
    return configOptions;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> flags = new LinkedHashMap<>(configOptions.flags());
    if (endpoint != null) {
      flags.put("endpoint", endpoint);
    }
    ProxyConfig config;
    try {
      config = configOptions.loaderBuilder().setFlags(flags).load();
    } catch (ConfigException e) {
      err.println("[x] The configuration is invalid, so the check cannot run:");
      for (ConfigProblem problem : e.getProblems()) {
        err.println("      " + problem.message());
      }
      err.println("    Run `traccia-proxy doctor` for details.");
      err.flush();
      return 1;
    }
    if (!config.tracesEndpoint().isPresent()) {
      err.println(
          "[x] There is no OTLP endpoint to check"
              + (config.useOtlp() ? "" : " (tracing.use_otlp is false)")
              + ". Set tracing.endpoint (TRACCIA_ENDPOINT) or tracing.api_key"
              + " (TRACCIA_API_KEY), or pass --endpoint URL.");
      err.flush();
      return 1;
    }
    URI target = config.tracesEndpoint().get();
    Duration timeout =
        config.exporterTimeout().compareTo(MAX_TIMEOUT) > 0
            ? MAX_TIMEOUT
            : config.exporterTimeout();
    String source =
        config.endpoint().isPresent()
            ? "tracing.endpoint from " + config.origin("tracing.endpoint")
            : "the Traccia platform, because tracing.api_key is set";
    out.println(
        "Checking "
            + DoctorCommand.shown(target)
            + " ("
            + source
            + ") with an empty "
            + config.exporterProtocol()
            + " export, timeout "
            + timeout.toMillis()
            + " ms...");
    out.flush();
    Result result =
        config.exporterProtocol() == ExporterProtocol.GRPC
            ? checkGrpc(config, target, timeout)
            : checkHttp(config, target, timeout);
    if (result.outcome() == Outcome.REACHABLE) {
      out.println("[ok] " + result.message());
      out.flush();
      return 0;
    }
    err.println("[x] " + result.message());
    err.flush();
    return 1;
  }

  // --- OTLP/HTTP ----------------------------------------------------------------------------

  static Result checkHttp(ProxyConfig config, URI target, Duration timeout) {
    String hostPort = hostPort(target);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "traccia-check-http");
              t.setDaemon(true);
              return t;
            });
    try {
      HttpClient.Builder client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(timeout)
              .executor(executor);
      if ("https".equalsIgnoreCase(target.getScheme())
          && (config.caFile().isPresent() || config.clientCertFile().isPresent())) {
        try {
          client.sslContext(sslContext(config));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
          return tlsFiles(e);
        }
      }
      byte[] body = ExportTraceServiceRequest.getDefaultInstance().toByteArray();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target)
              .timeout(timeout)
              .header("Content-Type", "application/x-protobuf")
              .header("User-Agent", "traccia-proxy-check");
      if (config.compression() == Compression.GZIP) {
        body = gzip(body);
        request.header("Content-Encoding", "gzip");
      }
      for (Map.Entry<String, String> header : headers(config).entrySet()) {
        try {
          request.header(header.getKey(), header.getValue());
        } catch (IllegalArgumentException e) {
          return new Result(
              Outcome.FAILED,
              "exporters.headers: "
                  + header.getKey()
                  + " cannot be sent by the HTTP client ("
                  + e.getMessage()
                  + "). Remove it from exporters.headers.");
        }
      }
      request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<byte[]> response =
          client.build().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return httpStatus(config, target, response.statusCode(), response);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(Outcome.FAILED, "interrupted while waiting for " + hostPort);
    } catch (IOException e) {
      return classify(e, target, timeout);
    } finally {
      executor.shutdownNow();
    }
  }

  private static Result httpStatus(
      ProxyConfig config, URI target, int status, HttpResponse<byte[]> response) {
    String from = "HTTP " + status + " from " + DoctorCommand.shown(target);
    if (status >= 200 && status < 300) {
      return new Result(
          Outcome.REACHABLE, "Reachable: " + from + ". The backend accepted the export.");
    }
    if (status == 401 || status == 403) {
      return new Result(Outcome.AUTH_REFUSED, "Auth refused: " + from + ". " + authHint(config));
    }
    if (status == 404 || status == 405) {
      return new Result(
          Outcome.WRONG_PATH,
          "Wrong path: "
              + from
              + ". The server answers but takes no OTLP traces at this path; OTLP/HTTP endpoints"
              + " usually end in /v1/traces.");
    }
    String location = response.headers().firstValue("Location").orElse(null);
    String detail =
        location != null
            ? " It redirects to "
                + Redaction.url(location)
                + "; set tracing.endpoint to the final URL."
            : bodySnippet(response.body());
    return new Result(Outcome.OTHER_STATUS, "Unexpected answer: " + from + "." + detail);
  }

  private static String bodySnippet(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    text = text.replaceAll("\\s+", " ").trim();
    boolean printable = text.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    return printable && !text.isEmpty() ? " The server said: " + text : "";
  }

  private static String authHint(ProxyConfig config) {
    boolean authorizationHeader =
        config.exporterHeaders().keySet().stream()
            .anyMatch(h -> h.equalsIgnoreCase("authorization"));
    if (config.apiKey().isPresent() || authorizationHeader) {
      return "The credentials were not accepted: check tracing.api_key (TRACCIA_API_KEY) and the"
          + " headers in exporters.headers.";
    }
    return "No credentials were sent: set tracing.api_key (TRACCIA_API_KEY) or an authorization"
        + " header in exporters.headers.";
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }

  /** The configured headers plus {@code Authorization: Bearer <api key>} unless one is given. */
  private static Map<String, String> headers(ProxyConfig config) {
    Map<String, String> headers = new LinkedHashMap<>(config.exporterHeaders());
    boolean hasAuthorization =
        headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("authorization"));
    if (config.apiKey().isPresent() && !hasAuthorization) {
      headers.put("Authorization", "Bearer " + config.apiKey().get());
    }
    return headers;
  }

  // --- OTLP/gRPC ----------------------------------------------------------------------------

  static Result checkGrpc(ProxyConfig config, URI target, Duration timeout) {
    ChannelCredentials credentials;
    if ("https".equalsIgnoreCase(target.getScheme())) {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      try {
        if (config.caFile().isPresent()) {
          tls.trustManager(trustManagers(config.caFile().get()));
        }
        if (config.clientCertFile().isPresent() && config.clientKeyFile().isPresent()) {
          tls.keyManager(keyManagers(config.clientCertFile().get(), config.clientKeyFile().get()));
        }
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        return tlsFiles(e);
      }
      credentials = tls.build();
    } else {
      credentials = InsecureChannelCredentials.create();
    }
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(target.getHost(), port(target), credentials)
            .userAgent("traccia-proxy-check")
            .build();
    try {
      Metadata metadata = new Metadata();
      for (Map.Entry<String, String> header : headers(config).entrySet()) {
        try {
          metadata.put(
              Metadata.Key.of(
                  header.getKey().toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER),
              header.getValue());
        } catch (IllegalArgumentException e) {
          return new Result(
              Outcome.FAILED,
              "exporters.headers: "
                  + header.getKey()
                  + " cannot be sent as gRPC metadata ("
                  + e.getMessage()
                  + ").");
        }
      }
      TraceServiceGrpc.TraceServiceBlockingStub stub =
          TraceServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (config.compression() == Compression.GZIP) {
        stub = stub.withCompression("gzip");
      }
      stub.export(ExportTraceServiceRequest.getDefaultInstance());
      return new Result(
          Outcome.REACHABLE,
          "Reachable: gRPC OK from "
              + DoctorCommand.shown(target)
              + ". The backend accepted the export.");
    } catch (StatusRuntimeException e) {
      return grpcStatus(config, target, e.getStatus(), timeout);
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static Result grpcStatus(ProxyConfig config, URI target, Status status, Duration timeout) {
    String from = "gRPC " + status.getCode() + " from " + DoctorCommand.shown(target);
    switch (status.getCode()) {
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return new Result(Outcome.AUTH_REFUSED, "Auth refused: " + from + ". " + authHint(config));
      case UNIMPLEMENTED:
        return new Result(
            Outcome.WRONG_PATH,
            "Wrong path: "
                + from
                + ". The server does not serve the OTLP trace service; is this an OTLP/gRPC port"
                + " (usually 4317)?");
      case DEADLINE_EXCEEDED:
        return timeout(target, timeout);
      case UNAVAILABLE:
        if (status.getCause() != null) {
          Result cause = classify(status.getCause(), target, timeout);
          if (cause.outcome() != Outcome.FAILED) {
            return cause;
          }
        }
        return new Result(
            Outcome.OTHER_STATUS,
            "Unexpected answer: "
                + from
                + (status.getDescription() == null ? "" : ": " + status.getDescription())
                + ". Make sure the collector is running and reachable from this network.");
      default:
        return new Result(
            Outcome.OTHER_STATUS,
            "Unexpected answer: "
                + from
                + (status.getDescription() == null ? "." : ": " + status.getDescription()));
    }
  }

  // --- Failures -----------------------------------------------------------------------------

  /** Turns a transport failure into one outcome, looking through the whole cause chain. */
  static Result classify(Throwable failure, URI target, Duration timeout) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof HttpTimeoutException) {
        return timeout(target, timeout);
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return new Result(Outcome.TLS_PROBLEM, "TLS problem: " + tlsProblem(failure, target));
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return new Result(
            Outcome.UNKNOWN_HOST,
            "Unknown host: "
                + target.getHost()
                + " could not be resolved (port "
                + port(target)
                + "). Check the host name in tracing.endpoint and this machine's DNS.");
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return new Result(
            Outcome.CONNECTION_REFUSED,
            "Connection refused: nothing accepted a connection on "
                + hostPort(target)
                + ". Make sure the collector is running and reachable from this network.");
      }
    }
    return new Result(Outcome.FAILED, "Failed: " + describe(failure) + ".");
  }

  private static Result timeout(URI target, Duration timeout) {
    return new Result(
        Outcome.TIMEOUT,
        "Timeout: no answer from "
            + hostPort(target)
            + " within "
            + timeout.toMillis()
            + " ms. Check that it is reachable from this network (firewall, proxy), or raise"
            + " exporters.timeout_ms.");
  }

  /** Says which part of the TLS handshake failed, from the exception chain. */
  static String tlsProblem(Throwable failure, URI target) {
    String detail = describe(deepest(failure));
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof CertificateException
          && (message.contains("No subject alternative") || message.contains("No name matching"))) {
        return "the server's certificate does not match the host name "
            + target.getHost()
            + " ("
            + detail
            + "). Use the host name the certificate was issued for.";
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof CertPathValidatorException
          || t instanceof CertPathBuilderException
          || message.contains("PKIX path")
          || message.contains("unable to find valid certification path")) {
        return "the server's certificate is not trusted ("
            + detail
            + "). Set exporters.ca_file to the CA certificate that signed it.";
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      String lower = message.toLowerCase(Locale.ROOT);
      if (lower.contains("unrecognized ssl message")
          || lower.contains("plaintext connection")
          || lower.contains("not an ssl/tls record")) {
        return "the server at "
            + hostPort(target)
            + " did not answer with TLS. If it is a plain-text endpoint, use http:// instead of"
            + " https://.";
      }
      if (message.contains("protocol_version")
          || message.contains("No appropriate protocol")
          || message.contains("handshake_failure")) {
        return "the client and the server share no TLS version or cipher suite (" + detail + ").";
      }
    }
    return "the TLS handshake with " + hostPort(target) + " failed (" + detail + ").";
  }

  private static Result tlsFiles(Exception e) {
    return new Result(
        Outcome.TLS_PROBLEM,
        "TLS problem: could not load the TLS files ("
            + describe(e)
            + "). Check exporters.ca_file,"
            + " exporters.client_cert_file and exporters.client_key_file.");
  }

  private static Throwable deepest(Throwable t) {
    Throwable last = t;
    while (last.getCause() != null && last.getCause() != last) {
      last = last.getCause();
    }
    return last;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  static String hostPort(URI uri) {
    String host = uri.getHost();
    if (host != null && host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return host + ":" + port(uri);
  }

  // --- TLS files ----------------------------------------------------------------------------
  //
  // The exporters load the same files with more key formats; this command reads CA bundles and
  // PKCS#8 keys ("BEGIN PRIVATE KEY"), which covers what most tools write.

  private static SSLContext sslContext(ProxyConfig config)
      throws IOException, GeneralSecurityException {
    TrustManager[] trust =
        config.caFile().isPresent() ? trustManagers(config.caFile().get()) : null;
    KeyManager[] keys =
        config.clientCertFile().isPresent() && config.clientKeyFile().isPresent()
            ? keyManagers(config.clientCertFile().get(), config.clientKeyFile().get())
            : null;
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys, trust, null);
    return context;
  }

  private static TrustManager[] trustManagers(Path caFile)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate certificate : certificates(caFile)) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers();
  }

  private static KeyManager[] keyManagers(Path certFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> chain = certificates(certFile);
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    char[] password = new char[0];
    store.setKeyEntry("client", privateKey(keyFile), password, chain.toArray(new Certificate[0]));
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    return factory.getKeyManagers();
  }

  private static Collection<? extends Certificate> certificates(Path file)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(file + " holds no PEM certificate");
      }
      return certificates;
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int start = pem.indexOf(begin);
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException(
          file
              + " is not a PKCS#8 key ('BEGIN PRIVATE KEY'); convert it with: openssl pkcs8"
              + " -topk8 -nocrypt -in "
              + file
              + " -out key.pk8.pem");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end).trim());
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw new IllegalArgumentException(file + " holds no RSA, EC or Ed25519 private key");
  }
}
