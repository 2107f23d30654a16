/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ai.traccia.proxy.codec.FastGzip;
import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.Redaction;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * Sends OTLP requests to a backend over OTLP/HTTP with protobuf bodies, as they were received: the
 * bytes are posted without being decoded.
 *
 * <p>Each signal has its own URL (for example {@code https://api.traccia.ai/v2/traces}); a signal
 * without one fails permanently. HTTPS uses the system trust store or a CA file and may present a
 * client certificate; {@code https://} URLs negotiate HTTP/2 and fall back to HTTP/1.1, {@code
 * http://} URLs use HTTP/1.1. Responses map to outcomes as the OTLP/HTTP specification says: 2xx is
 * a success (with the {@code partial_success} of a protobuf response body), 429, 502, 503 and 504
 * are retryable and honour {@code Retry-After} (seconds or an HTTP date), every other status is
 * permanent. Connection failures, timeouts and TLS handshake failures are retryable. Messages carry
 * the backend's own explanation (a {@code google.rpc.Status} or the start of a text body) and what
 * to check next.
 *
 * <p>Thread-safe. {@link #export} does not wait for the network: it compresses the body (when gzip
 * is on) and hands the request to the JDK HTTP client, whose threads complete the future.
 */
public final class OtlpHttpExporter implements Exporter {

  private static final int MAX_DETAIL_CHARS = 256;

  private final String name;
  private final Map<Signal, URI> endpoints;
  private final Map<Signal, String> shown;
  private final String[] headers;
  private final boolean gzip;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<CompletableFuture<ExportResult>> inFlight = ConcurrentHashMap.newKeySet();

  private OtlpHttpExporter(Builder builder, Map<String, String> headerValues) {
    this.name = builder.name;
    this.endpoints = new EnumMap<>(builder.endpoints);
    // What messages show of each URL: a token in its user information or query stays out.
    this.shown = new EnumMap<>(Signal.class);
    endpoints.forEach((signal, url) -> shown.put(signal, Redaction.url(url)));
    List<String> pairs = new ArrayList<>();
    pairs.add("Content-Type");
    pairs.add("application/x-protobuf");
    pairs.add("User-Agent");
    pairs.add(ExporterOptions.userAgent());
    if (builder.settings.gzip) {
      pairs.add("Content-Encoding");
      pairs.add("gzip");
    }
    headerValues.forEach(
        (key, value) -> {
          pairs.add(key);
          pairs.add(value);
        });
    this.headers = pairs.toArray(new String[0]);
    this.gzip = builder.settings.gzip;
    this.timeout = builder.settings.timeout;
    this.clock = builder.clock;
    HttpClient.Builder client =
        HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
    boolean anyTls = endpoints.values().stream().anyMatch(ExporterOptions::isTls);
    if (anyTls && (builder.caFile != null || builder.clientCertificate != null)) {
      client.sslContext(
          TlsFiles.sslContext(builder.caFile, builder.clientCertificate, builder.clientKey));
    }
    this.client = client.build();
  }

  /** Returns a builder; at least one signal's endpoint is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** When a metrics endpoint is set; without one, metrics would fail at every export. */
  @Override
  public boolean takesDerivedMetrics() {
    return endpoints.containsKey(Signal.METRICS);
  }

  /**
   * Posts {@code request} to its signal's URL. Returns once the request is handed to the HTTP
   * client; the future completes with the response or the failure, never exceptionally.
   */
  @Override
  public CompletableFuture<ExportResult> export(ExportRequest request) {
    if (closed.get()) {
      return CompletableFuture.completedFuture(
          ExportResult.permanent(name + " exporter is shut down; the request was not sent"));
    }
    URI url = endpoints.get(request.signal());
    if (url == null) {
      String signal = request.signal().label();
      return CompletableFuture.completedFuture(
          ExportResult.permanent(
              "no OTLP/HTTP endpoint for "
                  + signal
                  + " is configured in exporter "
                  + name
                  + ": set its "
                  + signal
                  + " endpoint, or do not send "
                  + signal
                  + " to it"));
    }
    CompletableFuture<ExportResult> result;
    try {
      byte[] body = gzip ? FastGzip.compress(request.size(), request::writeTo) : request.body();
      HttpRequest httpRequest =
          HttpRequest.newBuilder(url)
              .version(
                  ExporterOptions.isTls(url)
                      ? HttpClient.Version.HTTP_2
                      : HttpClient.Version.HTTP_1_1)
              .timeout(timeout)
              .headers(headers)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      result =
          client
              .sendAsync(httpRequest, HttpResponse.BodyHandlers.ofByteArray())
              .handle((response, error) -> toResult(request, url, response, error));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          ExportResult.permanent(
              "could not send "
                  + request
                  + " to "
                  + shown.get(request.signal())
                  + ": "
                  + scrub(e.toString(), url)));
    }
    inFlight.add(result);
    result.whenComplete((r, t) -> inFlight.remove(result));
    return result;
  }

  /**
   * Stops accepting requests; the future completes when the requests in flight have finished. The
   * JDK HTTP client of this Java version has no close method: its daemon threads end once the
   * exporter is unreachable. Idempotent.
   */
  @Override
  public CompletableFuture<Void> shutdown() {
    closed.set(true);
    return CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0]))
        .handle((v, t) -> null);
  }

  @Override
  public String toString() {
    return "OtlpHttpExporter{" + name + ", " + shown + "}";
  }

  private ExportResult toResult(
      ExportRequest request, URI url, HttpResponse<byte[]> response, Throwable error) {
    try {
      if (error != null) {
        return fromError(request, url, error).withDiagnosis(ExportResult.Diagnosis.failure(error));
      }
      ExportResult result = fromResponse(request, url, response);
      // A plain 200 stays the shared success (see ExportResult.Diagnosis).
      return result == ExportResult.success() && response.statusCode() == 200
          ? result
          : result.withDiagnosis(
              new ExportResult.Diagnosis(
                  response.statusCode(),
                  response.headers().firstValue("location").orElse(null),
                  response.body(),
                  null));
    } catch (RuntimeException e) {
      return ExportResult.permanent(
          "could not read the answer of "
              + shown.get(request.signal())
              + ": "
              + scrub(e.toString(), url));
    }
  }

  private ExportResult fromResponse(ExportRequest request, URI url, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    String prefix = "HTTP " + status + " from " + shown.get(request.signal());
    if (status >= 200 && status < 300) {
      String type = contentType(response.headers());
      if (type.isEmpty() || type.startsWith("application/x-protobuf")) {
        return ExportResponses.fromResponse(request, response.body(), shown.get(request.signal()));
      }
      return ExportResult.success();
    }
    String detail = detail(response);
    switch (status) {
      case 429:
        return ExportResult.retryable(
            prefix + ": the backend is limiting the request rate" + detail,
            retryAfter(response.headers(), clock));
      case 502:
      case 503:
      case 504:
        return ExportResult.retryable(
            prefix
                + ": the backend, or a proxy in front of it, is unavailable; make sure the backend"
                + " is running"
                + detail,
            retryAfter(response.headers(), clock));
      case 400:
        return ExportResult.permanent(
            prefix + ": the backend refused the data as invalid" + detail);
      case 401:
      case 403:
        return ExportResult.permanent(prefix + ": check the api key / headers" + detail);
      case 404:
        return ExportResult.permanent(
            prefix + ": check the endpoint path (expected .../" + pathTail(request) + ")" + detail);
      case 405:
        return ExportResult.permanent(
            prefix
                + ": the URL does not accept POST; check the endpoint path (expected .../"
                + pathTail(request)
                + ")"
                + detail);
      case 413:
        return ExportResult.permanent(
            prefix
                + ": the request of "
                + request.size()
                + " bytes is too large for the backend; lower the export batch size"
                + detail);
      case 415:
        return ExportResult.permanent(
            prefix
                + ": the backend does not take application/x-protobuf; check that the endpoint is"
                + " an OTLP/HTTP receiver"
                + detail);
      default:
        if (status >= 300 && status < 400) {
          Optional<String> location = response.headers().firstValue("location");
          return ExportResult.permanent(
              prefix
                  + ": the backend redirects"
                  + location.map(l -> " to " + Redaction.url(l)).orElse("")
                  + "; set the endpoint to the final URL");
        }
        return ExportResult.permanent(
            prefix
                + (status >= 500
                    ? ": the backend failed to handle the request"
                    : ": the backend refused the request")
                + detail);
    }
  }

  private ExportResult fromError(ExportRequest request, URI url, Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    String hostPort = url.getHost() + ":" + port(url);
    if (e instanceof HttpConnectTimeoutException) {
      return ExportResult.retryable(
          "could not connect to "
              + hostPort
              + " within "
              + timeout.toMillis()
              + " ms: make sure the backend is running and reachable from this network",
          null);
    }
    if (e instanceof HttpTimeoutException) {
      return ExportResult.retryable(
          "no response from "
              + shown.get(request.signal())
              + " within "
              + timeout.toMillis()
              + " ms: check that the backend is reachable and not overloaded, or raise the export"
              + " timeout",
          null);
    }
    if (hasCause(e, SSLException.class)) {
      return ExportResult.retryable(
          "TLS handshake with "
              + hostPort
              + " failed: check that the backend serves TLS on this port and that its certificate"
              + " is trusted (set a CA file for a private CA) ("
              + rootMessage(e)
              + ")",
          null);
    }
    if (hasCause(e, UnresolvedAddressException.class) || hasCause(e, UnknownHostException.class)) {
      return ExportResult.retryable(
          "cannot resolve host " + url.getHost() + ": check the endpoint's host name and DNS",
          null);
    }
    if (hasCause(e, ConnectException.class)) {
      return ExportResult.retryable(
          "cannot connect to "
              + hostPort
              + ": make sure the backend is running and reachable from this network ("
              + rootMessage(e)
              + ")",
          null);
    }
    if (e instanceof IOException) {
      return ExportResult.retryable(
          "connection to "
              + hostPort
              + " failed while sending "
              + request.signal().label()
              + ": "
              + rootMessage(e)
              + "; check the backend and any proxy in between"
              + (ExporterOptions.isTls(url)
                  ? ", and, if the backend requires a client certificate, that this exporter"
                      + " presents one it trusts"
                  : ""),
          null);
    }
    return ExportResult.permanent(
        "could not send "
            + request
            + " to "
            + shown.get(request.signal())
            + ": "
            + scrub(e.toString(), url));
  }

  // An exception's text may quote the URL it failed on; its secret parts are cut out.
  private static String scrub(String text, URI url) {
    String raw = url.toString();
    return text.contains(raw) ? text.replace(raw, Redaction.url(url)) : text;
  }

  /** The backend's explanation from the response body, as " (...)", or empty. */
  private static String detail(HttpResponse<byte[]> response) {
    byte[] body = response.body();
    if (body == null || body.length == 0) {
      return "";
    }
    if (contentType(response.headers()).startsWith("application/x-protobuf")) {
      try {
        String message = com.google.rpc.Status.parseFrom(body).getMessage();
        return message.isEmpty() ? "" : " (" + shorten(message) + ")";
      } catch (InvalidProtocolBufferException e) {
        return "";
      }
    }
    String text =
        new String(body, 0, Math.min(body.length, 4 * MAX_DETAIL_CHARS), StandardCharsets.UTF_8);
    text = text.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
    return text.isEmpty() ? "" : " (" + shorten(text) + ")";
  }

  private static String shorten(String text) {
    return text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + "...";
  }

  private static String contentType(HttpHeaders headers) {
    return headers.firstValue("content-type").orElse("").trim().toLowerCase(Locale.ROOT);
  }

  /**
   * The delay a {@code Retry-After} header asks for, in seconds or as an HTTP date, or null when
   * there is none or it cannot be read.
   */
  static Duration retryAfter(HttpHeaders headers, Clock clock) {
    Optional<String> header = headers.firstValue("retry-after");
    if (header.isEmpty()) {
      return null;
    }
    String value = header.get().trim();
    if (!value.isEmpty() && value.length() <= 12 && value.chars().allMatch(Character::isDigit)) {
      return Duration.ofSeconds(Long.parseLong(value));
    }
    try {
      ZonedDateTime date = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration delay = Duration.between(clock.instant(), date.toInstant());
      return delay.isNegative() ? Duration.ZERO : delay;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String pathTail(ExportRequest request) {
    return request.signal().httpPath().substring(1);
  }

  private static int port(URI url) {
    return url.getPort() != -1 ? url.getPort() : ExporterOptions.isTls(url) ? 443 : 80;
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    String message = null;
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
      if (t.getCause() == null) {
        return message != null ? message : t.getClass().getSimpleName();
      }
    }
    return String.valueOf(message);
  }

  /**
   * Builds an {@link OtlpHttpExporter}. Not thread-safe. Each setter checks its value and {@link
   * #build()} the combination and the TLS files, throwing {@link IllegalArgumentException} with
   * what was wrong.
   */
  public static final class Builder extends OtlpExporterBuilder<Builder> {
    private final Map<Signal, URI> endpoints = new EnumMap<>(Signal.class);
    private Clock clock = Clock.systemUTC();

    private Builder() {
      super(ExporterProtocol.HTTP_PROTOBUF, "otlp-http");
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * The full URL {@code signal} is posted to, such as {@code http://localhost:4318/v1/traces} or
     * {@code https://api.traccia.ai/v2/traces}.
     */
    public Builder setEndpoint(Signal signal, URI url) {
      Objects.requireNonNull(signal, "signal");
      endpoints.put(signal, ExporterOptions.checkEndpoint(signal.label() + " endpoint", url));
      return this;
    }

    /** The wall clock that {@code Retry-After} dates are measured against. */
    Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Reads the TLS files and returns the exporter. */
    public OtlpHttpExporter build() {
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException(
            "endpoints: none set (expected: the URL of at least one signal, such as"
                + " http://localhost:4318/v1/traces)");
      }
      boolean anyTls = endpoints.values().stream().anyMatch(ExporterOptions::isTls);
      if (!anyTls && (caFile != null || clientCertificate != null)) {
        throw new IllegalArgumentException(
            "endpoints: "
                + endpoints.values().stream().map(Redaction::url).toList()
                + " (plaintext) with a CA file or client certificate set (expected: https:// URLs"
                + " to use TLS)");
      }
      return new OtlpHttpExporter(this, settings.headers());
    }
  }
}
