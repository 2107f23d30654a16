/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
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
    subcommands = {
      ServeCommand.class,
      ConfigCommand.class,
      DoctorCommand.class,
      CheckCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  private Main() {}

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

  /** Puts {@code serve} in front when no subcommand is named, so options alone start the proxy. */
  static String[] withDefaultCommand(String[] args) {
    if (args.length == 0) {
      return new String[] {"serve"};
    }
    String first = args[0];
    boolean topLevelOption =
        first.equals("-h")
            || first.equals("--help")
            || first.equals("-V")
            || first.equals("--version");
    if (first.startsWith("-") && !topLevelOption) {
      String[] withServe = new String[args.length + 1];
      withServe[0] = "serve";
      System.arraycopy(args, 0, withServe, 1, args.length);
      return withServe;
    }
    return args;
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
