/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigKey;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code traccia-proxy}: the command line. {@code serve} is the default command, so {@code java
 * -jar traccia-proxy.jar} alone starts the proxy.
 */
@Command(
    name = "traccia-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "An OTLP proxy that enriches AI-agent and LLM traces for every language.",
    footer = {
      "",
      "Every configuration key is also an option of serve, doctor and check: 'traccia-proxy serve"
          + " --help' lists them with their defaults and environment variables, and --set KEY=VALUE"
          + " sets any key. config/README.md describes the file, the variables and the flags."
    },
    subcommands = {
      ServeCommand.class,
      ConfigCommand.class,
      DoctorCommand.class,
      CheckCommand.class,
      PricingCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  Main() {}

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code, without exiting. */
  static int run(String... args) {
    return new CommandLine(new Main()).execute(withDefaultCommand(args));
  }

  private static final Set<String> SUBCOMMANDS =
      Set.of("serve", "config", "doctor", "check", "pricing", "help");
  private static final Set<String> OPTIONS_WITH_VALUES = optionsWithValues();

  // --config, --set and every key's option that takes a value (boolean ones may stand alone).
  private static Set<String> optionsWithValues() {
    Set<String> options = new HashSet<>(Set.of("--config", "--set"));
    for (ConfigKey key : ConfigKey.proxyKeys()) {
      if (key.flag().isPresent() && !key.isBoolean()) {
        options.add(key.flag().get());
      }
    }
    return Collections.unmodifiableSet(options);
  }

  /**
   * Makes {@code serve} the default command and accepts options before the subcommand.
   *
   * <p>{@code traccia-proxy --grpc-port 0} becomes {@code serve --grpc-port 0}, and {@code
   * traccia-proxy --config x doctor} (the Python SDK's order) becomes {@code doctor --config x}.
   */
  static String[] withDefaultCommand(String[] args) {
    if (args.length == 0) {
      return new String[] {"serve"};
    }
    String first = args[0];
    if (first.equals("-h")
        || first.equals("--help")
        || first.equals("-V")
        || first.equals("--version")) {
      return args;
    }
    int i = 0;
    while (i < args.length && args[i].startsWith("-")) {
      boolean separateValue = OPTIONS_WITH_VALUES.contains(args[i]);
      i += separateValue ? 2 : 1;
    }
    List<String> out = new ArrayList<>();
    if (i < args.length && SUBCOMMANDS.contains(args[i])) {
      out.add(args[i]);
      out.addAll(Arrays.asList(args).subList(0, i));
      out.addAll(Arrays.asList(args).subList(i + 1, args.length));
    } else {
      out.add("serve");
      out.addAll(Arrays.asList(args));
    }
    return out.toArray(new String[0]);
  }

  /** The version this jar was built as. */
  static String version() {
    Properties properties = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("/traccia-proxy-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // The version is informational; an unreadable file leaves it unknown.
    }
    return properties.getProperty("version", "unknown");
  }

  /** Supplies {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "traccia-proxy " + version(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
