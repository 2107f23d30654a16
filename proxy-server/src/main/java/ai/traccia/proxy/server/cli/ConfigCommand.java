/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigException;
import ai.traccia.proxy.config.ConfigTemplate;
import ai.traccia.proxy.config.ConfigWarning;
import ai.traccia.proxy.config.LoadedConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code config init [--force]} writes a commented {@code traccia.toml}; {@code config show} prints
 * every effective value with its origin.
 *
 * <p>Output goes to the command line's out and err writers ({@code CommandLine.setOut/setErr}).
 * Exit codes: 0 on success, 1 when the file cannot be written or the configuration is invalid, 2
 * for a usage error such as a missing subcommand.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Creates traccia.toml and shows the effective configuration.")
public final class ConfigCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private ConfigOptions configOptions = new ConfigOptions();

  /** Creates the command; picocli calls this. */
  public ConfigCommand() {}

  /** The shared options, to replace the environment and directories in tests. */
  public ConfigOptions configOptions() {
    return configOptions;
  }

  /** Without a subcommand: a usage error (exit code 2). */
  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: init or show");
  }

  /** Writes the template; refuses to overwrite an existing file without {@code --force}. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Writes ./traccia.toml (or the --config path) with every setting commented out at its"
              + " default.")
  int init(
      @Option(names = "--force", description = "Overwrite the file if it exists.") boolean force,
      @Mixin ConfigOptions initOptions) {
    ConfigOptions options = configOptions.overriddenBy(initOptions);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path given = options.configFile() != null ? options.configFile() : Path.of("traccia.toml");
    Path target = options.workingDirectory().resolve(given).toAbsolutePath().normalize();
    try {
      Path parent = target.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      byte[] template = ConfigTemplate.render().getBytes(StandardCharsets.UTF_8);
      if (force) {
        Files.write(target, template);
      } else {
        // CREATE_NEW: never overwrite, even if the file appears after a check.
        Files.write(target, template, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      }
    } catch (FileAlreadyExistsException e) {
      if (!target.toString().equals(e.getFile())) {
        // A parent path exists as a file, so the directory cannot be created.
        return cannotWrite(err, target, e);
      }
      err.println("[x] " + target + " already exists; nothing was written.");
      err.println("    Use --force to overwrite it, or --config PATH to write somewhere else.");
      err.flush();
      return 1;
    } catch (IOException e) {
      return cannotWrite(err, target, e);
    }
    String configArg = options.configFile() != null ? " --config " + options.configFile() : "";
    out.println("[ok] Wrote " + target);
    out.println("     Every setting in it is commented out and shows its default.");
    out.println();
    out.println("Next steps:");
    out.println(
        "  1. Set tracing.endpoint to your OTLP backend, or tracing.api_key for the Traccia"
            + " platform (or TRACCIA_ENDPOINT / TRACCIA_API_KEY in the environment).");
    out.println("  2. Run `traccia-proxy doctor" + configArg + "` to check the configuration.");
    out.println(
        "  3. Run `traccia-proxy check" + configArg + "` to test the connection to the backend.");
    out.flush();
    return 0;
  }

  /** Prints every value with its origin, secrets redacted. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Prints every setting with its effective value and where it came from; secrets are"
              + " shown as ****.")
  int show(@Mixin ConfigOptions showOptions) {
    ConfigOptions options = configOptions.overriddenBy(showOptions);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LoadedConfig loaded;
    try {
      loaded = options.loaderBuilder().loadWithReport();
    } catch (ConfigException e) {
      err.println("[x] " + e.getMessage());
      err.flush();
      return 1;
    }
    out.println(
        "# Config file: "
            + loaded.sourceFile().map(Path::toString).orElse("none")
            + "; environment variables used: "
            + (loaded.environmentVariablesUsed().isEmpty()
                ? "none"
                : String.join(", ", loaded.environmentVariablesUsed())));
    for (String line : loaded.config().describe()) {
      out.println(line);
    }
    for (ConfigWarning warning : loaded.warnings()) {
      err.println("[!] " + warning.message());
    }
    out.flush();
    err.flush();
    return 0;
  }

  private static int cannotWrite(PrintWriter err, Path target, IOException e) {
    err.println("[x] Could not write " + target + ": " + describe(e));
    err.println("    Check that the directory exists and is writable.");
    err.flush();
    return 1;
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
