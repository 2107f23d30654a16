/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The commented {@code traccia.toml} written by {@code config init}: every key the proxy reads,
 * commented out, with its default, its environment variable and flag, and whether it is reloadable.
 *
 * <p>Generated from the same catalog the loader uses, so it cannot fall out of date. Loading the
 * template unchanged gives the defaults. Stateless and thread-safe.
 */
public final class ConfigTemplate {

  private static final int WIDTH = 100;

  private ConfigTemplate() {}

  /** Returns the template text, with {@code \n} line ends. */
  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# Traccia Proxy configuration.\n")
        .append("#\n")
        .append(
            "# Every setting is commented out and shows its default: uncomment a line to change it.\n")
        .append(
            "# Precedence, highest first: command-line flags, environment variables, this file,\n")
        .append("# defaults. Environment variables apply whether or not this file exists.\n")
        .append(
            "# ProxyKeys marked \"Reloadable\" take effect when this file changes (or on SIGHUP);\n")
        .append("# the others need a restart.\n")
        .append(
            "# Check the result with `traccia-proxy doctor`, the backend with `traccia-proxy check`.\n");
    String section = null;
    List<Setting<?>> tables = new ArrayList<>();
    for (Setting<?> s : ProxyKeys.ALL) {
      if (s.clientOnly() || !s.inFile) {
        continue;
      }
      if (!s.section.equals(section)) {
        flushTables(out, tables);
        section = s.section;
        out.append("\n[").append(section).append("]\n");
      }
      if (s == ProxyKeys.PRICING_OVERRIDE) {
        tables.add(s); // a [table] header must come after the section's plain keys
        continue;
      }
      out.append('\n');
      comment(out, describe(s));
      comment(out, layers(s));
      out.append("# ").append(s.name).append(" = ").append(literal(s)).append('\n');
    }
    flushTables(out, tables);
    return out.toString();
  }

  private static void flushTables(StringBuilder out, List<Setting<?>> tables) {
    for (Setting<?> s : tables) {
      out.append('\n');
      comment(out, describe(s));
      out.append("# [").append(s.key).append("]\n");
      out.append("# \"gpt-4o\" = { prompt = 0.0025, completion = 0.01 }\n");
      out.append(
          "# \"my-fine-tune\" = { prompt = 0.003, completion = 0.012, cached_prompt = 0.0015 }\n");
    }
    tables.clear();
  }

  private static String describe(Setting<?> s) {
    String text = s.description;
    if (s.defaultValue == null && !text.contains("Default:")) {
      text += " Default: none.";
    }
    if (s.live) {
      text += " Reloadable.";
    }
    return text;
  }

  private static String layers(Setting<?> s) {
    StringBuilder sb = new StringBuilder();
    if (!s.env.isEmpty()) {
      sb.append("Env: ").append(s.env.get(0));
      if (s.env.size() > 1) {
        sb.append(" (or ").append(String.join(", ", s.env.subList(1, s.env.size()))).append(')');
      }
      sb.append(". ");
    }
    if (s.flag != null) {
      sb.append("Flag: --").append(s.flag).append('.');
    }
    return sb.toString().trim();
  }

  private static String literal(Setting<?> s) {
    if (s.example != null || s.defaultValue == null) {
      return s.example;
    }
    if (s == ProxyKeys.PRICING_CACHE_PATH) {
      return "\"~/.cache/traccia/pricing.json\"";
    }
    Object value = s.defaultValue;
    if (value instanceof String || value instanceof Path || value instanceof Enum) {
      return ValueType.quote(s.showUnchecked(value));
    }
    if (value instanceof Map) {
      return "{}";
    }
    return String.valueOf(value);
  }

  private static void comment(StringBuilder out, String text) {
    if (text.isEmpty()) {
      return;
    }
    StringBuilder line = new StringBuilder("#");
    for (String word : text.split(" ")) {
      if (line.length() + 1 + word.length() > WIDTH && line.length() > 1) {
        out.append(line).append('\n');
        line = new StringBuilder("#");
      }
      line.append(' ').append(word);
    }
    out.append(line).append('\n');
  }
}
