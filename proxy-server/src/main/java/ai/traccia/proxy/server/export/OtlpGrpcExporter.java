/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.Redaction;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * Sends OTLP requests to a backend over OTLP/gRPC, as they were received: the protobuf bytes are
 * framed and sent without being decoded.
 *
 * <p>One channel per exporter carries every call; {@code http://} endpoints are plaintext, {@code
 * https://} endpoints use TLS with the system trust store or a CA file, optionally presenting a
 * client certificate. Each call has a deadline of the configured timeout. gRPC status codes map to
 * {@link ExportResult} outcomes as the OTLP specification says: CANCELLED, DEADLINE_EXCEEDED,
 * ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are retryable, RESOURCE_EXHAUSTED only when the
 * status carries a {@code google.rpc.RetryInfo}, and every other code is permanent. A {@code
 * RetryInfo} delay becomes {@link ExportResult#retryAfter()}; a {@code partial_success} in the
 * response becomes a partial success.
 *
 * <p>Thread-safe. {@link #export} returns once the request is handed to gRPC; the result arrives on
 * a gRPC executor thread. gRPC's own retries are turned off: retrying is {@link RetryingExporter}'s
 * job.
 */
public final class OtlpGrpcExporter implements Exporter {

  private static final Map<Signal, MethodDescriptor<ExportRequest, byte[]>> METHODS = methods();
  private static final Metadata.Key<com.google.rpc.Status> STATUS_DETAILS =
      Metadata.Key.of(
          "grpc-status-details-bin",
          ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  private final String name;
  private final String endpoint;
  private final ManagedChannel channel;
  private final Metadata headers;
  private final boolean gzip;
  private final Duration timeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private OtlpGrpcExporter(Builder builder, Map<String, String> headerValues) {
    this.name = builder.name;
    // Only ever shown, so only ever kept redacted: a token in the URL stays out of every message.
    this.endpoint = Redaction.url(builder.endpoint);
    this.gzip = builder.settings.gzip;
    this.timeout = builder.settings.timeout;
    this.headers = new Metadata();
    for (Map.Entry<String, String> header : headerValues.entrySet()) {
      headers.put(
          Metadata.Key.of(header.getKey(), Metadata.ASCII_STRING_MARSHALLER), header.getValue());
    }
    URI uri = builder.endpoint;
    boolean tls = ExporterOptions.isTls(uri);
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    ChannelCredentials credentials;
    if (tls) {
      TlsChannelCredentials.Builder tlsCredentials = TlsChannelCredentials.newBuilder();
      TrustManager[] trust = TlsFiles.trustManagers(builder.caFile);
      if (trust != null) {
        tlsCredentials.trustManager(trust);
      }
      KeyManager[] keys = TlsFiles.keyManagers(builder.clientCertificate, builder.clientKey);
      if (keys != null) {
        tlsCredentials.keyManager(keys);
      }
      credentials = tlsCredentials.build();
    } else {
      credentials = InsecureChannelCredentials.create();
    }
    this.channel =
        NettyChannelBuilder.forAddress(host, port, credentials)
            .userAgent(ExporterOptions.userAgent())
            .compressorRegistry(GzipCompressor.registry())
            .disableRetry()
            .build();
  }

  /** Returns a builder; {@link Builder#setEndpoint} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** Always: every signal has its method on the same channel. */
  @Override
  public boolean takesDerivedMetrics() {
    return true;
  }

  /**
   * Sends {@code request} in one gRPC call. Returns at once; the future completes when the backend
   * answers or the deadline passes, never exceptionally.
   */
  @Override
  public CompletableFuture<ExportResult> export(ExportRequest request) {
    if (closed.get()) {
      return CompletableFuture.completedFuture(
          ExportResult.permanent(
              name + " exporter to " + endpoint + " is shut down; the request was not sent"));
    }
    CompletableFuture<ExportResult> result = new CompletableFuture<>();
    ClientCall<ExportRequest, byte[]> call = null;
    try {
      CallOptions options =
          CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (gzip) {
        options = options.withCompression("gzip");
      }
      call = channel.newCall(METHODS.get(request.signal()), options);
      // Metadata is not thread-safe and gRPC may read it after start(): each call gets a copy.
      Metadata callHeaders = new Metadata();
      callHeaders.merge(headers);
      call.start(new ResponseListener(request, result), callHeaders);
      call.request(1);
      call.sendMessage(request);
      call.halfClose();
    } catch (RuntimeException e) {
      if (call != null) {
        call.cancel("the export could not be sent", e);
      }
      result.complete(
          ExportResult.permanent(
              "could not send " + request + " to " + endpoint + ": " + e.getMessage()));
    }
    return result;
  }

  /**
   * Stops accepting requests and closes the channel once calls in flight have finished (waiting at
   * most the timeout plus a second, then cancelling them). Idempotent; returns at once.
   */
  @Override
  public CompletableFuture<Void> shutdown() {
    if (closed.compareAndSet(false, true)) {
      channel.shutdown();
      Thread waiter =
          new Thread(
              () -> {
                try {
                  long waitMillis = timeout.toMillis() + 1000;
                  if (!channel.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
                    channel.shutdownNow();
                    channel.awaitTermination(1, TimeUnit.SECONDS);
                  }
                } catch (InterruptedException e) {
                  channel.shutdownNow();
                  Thread.currentThread().interrupt();
                } finally {
                  terminated.complete(null);
                }
              },
              "traccia-" + name + "-shutdown");
      waiter.setDaemon(true);
      waiter.start();
    }
    return terminated;
  }

  @Override
  public String toString() {
    return "OtlpGrpcExporter{" + name + ", " + endpoint + "}";
  }

  private final class ResponseListener extends ClientCall.Listener<byte[]> {
    private final ExportRequest request;
    private final CompletableFuture<ExportResult> result;
    // Written by onMessage and read by onClose; gRPC calls a listener's methods one at a time,
    // with happens-before between them, so no volatile is needed.
    private byte[] response;

    ResponseListener(ExportRequest request, CompletableFuture<ExportResult> result) {
      this.request = request;
      this.result = result;
    }

    @Override
    public void onMessage(byte[] message) {
      response = message;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      ExportResult outcome;
      try {
        outcome = toResult(request, status, trailers, response);
        if (!status.isOk()) {
          // A plain OK stays the shared success (see ExportResult.Diagnosis).
          outcome =
              outcome.withDiagnosis(
                  new ExportResult.Diagnosis(
                      status.getCode().value(), status.getDescription(), null, status.getCause()));
        }
      } catch (RuntimeException e) {
        outcome = ExportResult.permanent(status.getCode() + " from " + endpoint + ": " + e);
      }
      result.complete(outcome);
    }
  }

  private ExportResult toResult(
      ExportRequest request, Status status, Metadata trailers, byte[] response) {
    if (status.isOk()) {
      return ExportResponses.fromResponse(request, response, endpoint);
    }
    Duration retryDelay = retryDelay(trailers);
    String detail = detail(status);
    String code = status.getCode() + " from " + endpoint;
    switch (status.getCode()) {
      case UNAVAILABLE:
        if (hasCause(status.getCause(), SSLException.class)) {
          return ExportResult.retryable(
              "TLS handshake with "
                  + endpoint
                  + " failed: check that the backend serves TLS on this port and that its"
                  + " certificate is trusted (set a CA file for a private CA)"
                  + detail,
              retryDelay);
        }
        if (hasCause(status.getCause(), UnknownHostException.class)) {
          return ExportResult.retryable(
              code + ": cannot resolve the host; check the endpoint's host name and DNS" + detail,
              retryDelay);
        }
        return ExportResult.retryable(
            code + ": make sure the backend is running and reachable from this network" + detail,
            retryDelay);
      case DEADLINE_EXCEEDED:
        return ExportResult.retryable(
            code
                + ": no answer within "
                + timeout.toMillis()
                + " ms; check that the backend is reachable and not overloaded, or raise the"
                + " export timeout"
                + detail,
            retryDelay);
      case CANCELLED:
      case ABORTED:
      case OUT_OF_RANGE:
      case DATA_LOSS:
        return ExportResult.retryable(code + detail, retryDelay);
      case RESOURCE_EXHAUSTED:
        if (retryDelay != null) {
          return ExportResult.retryable(
              code + ": the backend asked to retry later" + detail, retryDelay);
        }
        return ExportResult.permanent(
            code
                + ": the backend refused the request and did not ask for a retry (no RetryInfo);"
                + " check its quotas and maximum message size"
                + detail);
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return ExportResult.permanent(code + ": check the api key / headers" + detail);
      case UNIMPLEMENTED:
        return ExportResult.permanent(
            code
                + ": the backend does not serve "
                + request.signal().grpcExportMethod()
                + "; check that the endpoint is an OTLP/gRPC receiver (usually port 4317; 4318"
                + " is OTLP/HTTP)"
                + detail);
      case INVALID_ARGUMENT:
        return ExportResult.permanent(code + ": the backend refused the data as invalid" + detail);
      default:
        return ExportResult.permanent(code + detail);
    }
  }

  /** The delay of a {@code google.rpc.RetryInfo} in the status details, or null. */
  static Duration retryDelay(Metadata trailers) {
    if (trailers == null) {
      return null;
    }
    com.google.rpc.Status details;
    try {
      details = trailers.get(STATUS_DETAILS);
    } catch (IllegalArgumentException e) {
      return null; // Unreadable details: retry on the backoff alone.
    }
    if (details == null) {
      return null;
    }
    for (Any detail : details.getDetailsList()) {
      if (detail.is(RetryInfo.class)) {
        try {
          com.google.protobuf.Duration delay = detail.unpack(RetryInfo.class).getRetryDelay();
          Duration converted = Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
          return converted.isNegative() ? Duration.ZERO : converted;
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static String detail(Status status) {
    String description = status.getDescription();
    Throwable cause = status.getCause();
    String causeText = null;
    if (cause != null) {
      Throwable root = cause;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      causeText = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
    if (description == null && causeText == null) {
      return "";
    }
    if (description == null) {
      return " (" + causeText + ")";
    }
    return " (" + description + (causeText == null ? "" : ": " + causeText) + ")";
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static Map<Signal, MethodDescriptor<ExportRequest, byte[]>> methods() {
    Map<Signal, MethodDescriptor<ExportRequest, byte[]>> methods = new EnumMap<>(Signal.class);
    for (Signal signal : Signal.values()) {
      methods.put(
          signal,
          MethodDescriptor.<ExportRequest, byte[]>newBuilder()
              .setType(MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(signal.grpcExportMethod())
              .setRequestMarshaller(new ExportRequestMarshaller(signal))
              .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
              .build());
    }
    return methods;
  }

  /**
   * Builds an {@link OtlpGrpcExporter}. Not thread-safe. Each setter checks its value and {@link
   * #build()} the combination and the TLS files, throwing {@link IllegalArgumentException} with
   * what was wrong.
   */
  public static final class Builder extends OtlpExporterBuilder<Builder> {
    private URI endpoint;

    private Builder() {
      super(ExporterProtocol.GRPC, "otlp-grpc");
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * The backend, such as {@code http://localhost:4317} (plaintext) or {@code
     * https://tempo.example.com} (TLS, port 443 unless given). Required. A path is not allowed:
     * OTLP/gRPC has none.
     */
    public Builder setEndpoint(URI endpoint) {
      ExporterOptions.checkEndpoint("endpoint", endpoint);
      String path = endpoint.getRawPath();
      if (path != null && !path.isEmpty() && !path.equals("/") || endpoint.getRawQuery() != null) {
        throw new IllegalArgumentException(
            "endpoint: "
                + Redaction.url(endpoint)
                + " (expected: scheme://host:port without a path, such as http://localhost:4317;"
                + " OTLP/gRPC has no URL path)");
      }
      this.endpoint = endpoint;
      return this;
    }

    /** Reads the TLS files, opens the channel (it connects lazily) and returns the exporter. */
    public OtlpGrpcExporter build() {
      if (endpoint == null) {
        throw new IllegalArgumentException(
            "endpoint: not set (expected: the backend's OTLP/gRPC address, such as"
                + " http://localhost:4317)");
      }
      if (!ExporterOptions.isTls(endpoint) && (caFile != null || clientCertificate != null)) {
        throw new IllegalArgumentException(
            "endpoint: "
                + Redaction.url(endpoint)
                + " is plaintext but a CA file or client certificate is set (expected: an"
                + " https:// endpoint to use TLS)");
      }
      return new OtlpGrpcExporter(this, settings.headers());
    }
  }
}
