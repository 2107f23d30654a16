/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigException;
import ai.traccia.proxy.config.ConfigProblem;
import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ExporterSignal;
import ai.traccia.proxy.config.ExporterSpec;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.config.Redaction;
import ai.traccia.proxy.server.Exporters;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.export.TlsFiles;
import io.grpc.Status;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code check [--endpoint URL]}: sends an empty OTLP trace export to every configured OTLP
 * exporter ({@link ProxyConfig#otlpExporters()}), with each one's protocol, headers, API key,
 * compression and TLS files as its {@link ExporterSpec} resolves them, and reports exactly one
 * outcome per exporter: reachable, auth refused, TLS problem, wrong path, timeout, connection
 * refused, unknown host, another answer, or another failure.
 *
 * <p>The request is sent by a client of this command rather than by the exporter itself, because
 * the diagnosis needs the transport's own failure (the HTTP status, the TLS or DNS exception),
 * which an exporter folds into a retry decision; what is sent (endpoint, headers, compression, TLS
 * material through {@link TlsFiles}) comes from the same spec the exporter is built from.
 *
 * <p>An empty {@code ExportTraceServiceRequest} carries no spans, so a backend that accepts it
 * stores nothing. The timeout is each exporter's {@code timeout_ms}, capped at 10 seconds. Exit
 * code 0 only when every exporter's endpoint is reachable and accepted the request. With one
 * exporter the output is one line as before; with several, each line starts with the exporter's
 * name and a total follows.
 */
@Command(
    name = "check",
    modelTransformer = KeyOptions.class,
    abbreviateSynopsis = true,
    mixinStandardHelpOptions = true,
    description =
        "Sends an empty OTLP export to every OTLP backend and reports, for each, whether it is"
            + " reachable and accepts the credentials. Exit code 0 only if all do.")
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
    List<ExporterSpec> specs = config.otlpExporters();
    if (specs.isEmpty()) {
      err.println(
          "[x] There is no OTLP endpoint to check"
              + (config.useOtlp() ? "" : " (tracing.use_otlp is false)")
              + ". Set tracing.endpoint (TRACCIA_ENDPOINT) or tracing.api_key"
              + " (TRACCIA_API_KEY), add an [exporters.otlp.<name>] section, or pass --endpoint"
              + " URL.");
      err.flush();
      return 1;
    }
    // With one backend the lines are as they always were; with several, each names its exporter.
    boolean named = specs.size() > 1 || !specs.get(0).isDefault();
    int failed = 0;
    for (ExporterSpec spec : specs) {
      if (!check(config, spec, named, out, err)) {
        failed++;
      }
    }
    if (named) {
      (failed == 0 ? out : err)
          .println(
              (specs.size() - failed) + " of " + specs.size() + " exporters accepted the export.");
    }
    out.flush();
    err.flush();
    return failed == 0 ? 0 : 1;
  }

  /** Checks one exporter and prints its lines; true when the backend accepted the export. */
  private static boolean check(
      ProxyConfig config, ExporterSpec spec, boolean named, PrintWriter out, PrintWriter err) {
    URI target = spec.endpoint(probeSignal(spec)).orElseThrow();
    Duration timeout = spec.timeout().compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : spec.timeout();
    String source;
    if (!spec.isDefault()) {
      source = "[" + spec.configKey() + "]";
    } else if (config.endpoint().isPresent()) {
      source = "tracing.endpoint from " + config.origin("tracing.endpoint");
    } else {
      source = "the Traccia platform, because tracing.api_key is set";
    }
    String prefix = named ? spec.name() + ": " : "";
    out.println(
        "Checking "
            + prefix
            + DoctorCommand.shown(target)
            + " ("
            + source
            + ") with an empty "
            + spec.protocol()
            + " export, timeout "
            + timeout.toMillis()
            + " ms...");
    out.flush();
    Result result = export(spec, target, timeout);
    if (result.outcome() == Outcome.REACHABLE) {
      out.println("[ok] " + prefix + result.message());
      out.flush();
      return true;
    }
    err.println("[x] " + prefix + result.message());
    err.flush();
    return false;
  }

  // --- The export -------------------------------------------------------------------------

  /**
   * Sends an empty export of the exporter's {@link #probeSignal} through the exporter {@code serve}
   * would build from {@code spec} (transport, TLS files, headers, API key, compression), without
   * its retries, and reads what its transport saw.
   */
  static Result export(ExporterSpec spec, URI target, Duration timeout) {
    Exporter exporter;
    try {
      exporter = Exporters.otlp(spec, timeout);
    } catch (IllegalArgumentException e) {
      // The loader checked the endpoint and headers; what is left to fail here is the TLS files.
      return tlsFiles(spec, e);
    }
    try {
      // An empty message is zero bytes whatever its type: the same request for every signal.
      ExportRequest request =
          ExportRequest.of(Signal.valueOf(probeSignal(spec).name()), new byte[0], 0);
      ExportResult result =
          exporter.export(request).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      ExportResult.Diagnosis seen = result.diagnosis().orElse(null);
      if (seen == null) {
        if (!result.isSuccess()) {
          return new Result(Outcome.FAILED, result.message());
        }
        // A plain success carries no diagnosis: HTTP 200 or gRPC OK.
        seen =
            new ExportResult.Diagnosis(
                spec.protocol() == ExporterProtocol.GRPC ? 0 : 200, null, null, null);
      }
      if (seen.status() < 0) {
        return classify(seen.cause(), target, timeout);
      }
      return spec.protocol() == ExporterProtocol.GRPC
          ? grpcStatus(
              spec,
              target,
              Status.fromCodeValue(seen.status())
                  .withDescription(seen.description())
                  .withCause(seen.cause()),
              timeout)
          : httpStatus(spec, target, seen.status(), seen.description(), seen.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(Outcome.FAILED, "interrupted while waiting for " + hostPort(target));
    } catch (java.util.concurrent.TimeoutException e) {
      return timeout(target, timeout);
    } catch (java.util.concurrent.ExecutionException e) {
      return classify(e.getCause(), target, timeout);
    } finally {
      exporter.shutdown();
    }
  }

  private static Result httpStatus(
      ExporterSpec spec, URI target, int status, String location, byte[] body) {
    String from = "HTTP " + status + " from " + DoctorCommand.shown(target);
    if (status >= 200 && status < 300) {
      return new Result(
          Outcome.REACHABLE, "Reachable: " + from + ". The backend accepted the export.");
    }
    if (status == 401 || status == 403) {
      return new Result(Outcome.AUTH_REFUSED, "Auth refused: " + from + ". " + authHint(spec));
    }
    if (status == 404 || status == 405) {
      return new Result(
          Outcome.WRONG_PATH,
          "Wrong path: "
              + from
              + ". The server answers but takes no OTLP "
              + probeSignal(spec)
              + " at this path; OTLP/HTTP endpoints usually end in /v1/"
              + probeSignal(spec)
              + ".");
    }
    String detail =
        location != null
            ? " It redirects to "
                + Redaction.url(location)
                + "; set "
                + (spec.isDefault() ? "tracing.endpoint" : spec.configKey() + ".endpoint")
                + " to the final URL."
            : bodySnippet(body);
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

  private static String authHint(ExporterSpec spec) {
    boolean authorizationHeader =
        spec.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("authorization"));
    String apiKey =
        spec.isDefault() ? "tracing.api_key (TRACCIA_API_KEY)" : spec.configKey() + ".api_key";
    String headers = spec.configKey() + ".headers";
    if (spec.apiKey().isPresent() || authorizationHeader) {
      return "The credentials were not accepted: check "
          + apiKey
          + " and the headers in "
          + headers
          + ".";
    }
    return "No credentials were sent: set "
        + apiKey
        + " or an authorization header in "
        + headers
        + ".";
  }

  // --- OTLP/gRPC ----------------------------------------------------------------------------

  static Result grpcStatus(ExporterSpec spec, URI target, Status status, Duration timeout) {
    String from = "gRPC " + status.getCode() + " from " + DoctorCommand.shown(target);
    switch (status.getCode()) {
      case OK:
        return new Result(
            Outcome.REACHABLE,
            "Reachable: gRPC OK from "
                + DoctorCommand.shown(target)
                + ". The backend accepted the export.");
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return new Result(Outcome.AUTH_REFUSED, "Auth refused: " + from + ". " + authHint(spec));
      case UNIMPLEMENTED:
        return new Result(
            Outcome.WRONG_PATH,
            "Wrong path: "
                + from
                + ". The server does not serve the OTLP "
                + (probeSignal(spec) == ExporterSignal.TRACES ? "trace" : probeSignal(spec))
                + " service; is this an OTLP/gRPC port"
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

  /**
   * The signal the empty export is sent as: traces when the exporter takes them (what an
   * application sends first), else the first signal it takes.
   */
  static ExporterSignal probeSignal(ExporterSpec spec) {
    return spec.takes(ExporterSignal.TRACES)
        ? ExporterSignal.TRACES
        : spec.signals().iterator().next();
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

  private static Result tlsFiles(ExporterSpec spec, Exception e) {
    String at = spec.configKey();
    return new Result(
        Outcome.TLS_PROBLEM,
        "TLS problem: could not load the TLS files ("
            + describe(e)
            + "). Check "
            + at
            + ".ca_file, "
            + at
            + ".client_cert_file and "
            + at
            + ".client_key_file.");
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
}
