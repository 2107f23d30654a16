/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Adds an option for every configuration key that has a flag ({@code --max-queue-size}) to a
 * command that loads the configuration, so that its {@code --help} lists each key with its default
 * and environment variables.
 *
 * <p>The options are made from the catalog ({@link ConfigKey#proxyKeys()}) rather than written out,
 * so a new key is an option as soon as it is in the catalog. They only carry text: what one
 * receives is put in the command's {@link ConfigOptions} as a flag and goes through {@link
 * ai.traccia.proxy.config.ConfigLoader}, like {@code --set}, so precedence (flags over environment
 * over file over default) and every message stay the loader's. A misspelt flag is not one of them
 * and reaches the loader too, which names the closest.
 *
 * <p>Use it as {@code @Command(modelTransformer = KeyOptions.class)} on a command with a {@code
 * ConfigOptions} mixin; picocli calls it once, before parsing. An option the command already
 * declares keeps its own definition.
 */
final class KeyOptions implements CommandLine.IModelTransformer {

  @Override
  public CommandSpec transform(CommandSpec spec) {
    ConfigOptions target = null;
    for (CommandSpec mixin : spec.mixins().values()) {
      if (mixin.userObject() instanceof ConfigOptions) {
        target = (ConfigOptions) mixin.userObject();
      }
    }
    if (target == null) {
      throw new IllegalStateException(spec.name() + " has no ConfigOptions mixin");
    }
    for (ConfigKey key : ConfigKey.proxyKeys()) {
      if (key.flag().isPresent() && spec.findOption(key.flag().get()) == null) {
        spec.addOption(option(key, target));
      }
    }
    return spec;
  }

  static OptionSpec option(ConfigKey key, ConfigOptions target) {
    String flag = key.flag().get();
    String name = flag.substring(2);
    OptionSpec.Builder option =
        OptionSpec.builder(flag)
            .type(String.class)
            .paramLabel(key.valueLabel())
            .description(help(key).toArray(new String[0]))
            .setter(
                new ISetter() {
                  @Override
                  public <T> T set(T value) {
                    // picocli also sets the initial (null) value before parsing.
                    if (value != null) {
                      target.putKeyFlag(name, value.toString());
                    }
                    return null;
                  }
                });
    if (key.isBoolean()) {
      // --enable-console alone means true, as before these options existed.
      option.arity("0..1").fallbackValue("true");
    } else {
      option.arity("1");
    }
    return option.build();
  }

  /** The description, then {@code key, default, variables} on a line of their own. */
  static List<String> help(ConfigKey key) {
    List<String> lines = new ArrayList<>();
    lines.add(key.description().replace("%", "%%"));
    StringBuilder where = new StringBuilder(key.key());
    where.append("; default: ").append(key.defaultValue().replace("%", "%%"));
    if (!key.environmentVariables().isEmpty()) {
      where.append("; env: ").append(String.join(", ", key.environmentVariables()));
    }
    if (key.isLive()) {
      where.append("; live");
    }
    lines.add("  (" + where + ")");
    return lines;
  }
}
