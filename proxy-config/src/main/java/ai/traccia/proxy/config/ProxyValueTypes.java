/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import ai.traccia.proxy.pricing.PricingOverride;
import ai.traccia.proxy.pricing.PricingOverrideException;
import ai.traccia.proxy.pricing.PricingOverrides;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** The kinds of value only the proxy's keys take. Stateless and thread-safe. */
final class ProxyValueTypes {

  private ProxyValueTypes() {}

  /**
   * A pricing override: a TOML table, or a JSON object in a string. Reading is pricing-data's
   * ({@link PricingOverrides}); its problems become the loader's, each at its model and field.
   */
  static final ValueType<PricingOverride> PRICING =
      new ValueType<PricingOverride>() {
        @Override
        PricingOverride fromToml(Object raw, ValueType.Context context)
            throws ValueType.InvalidValue {
          if (raw instanceof String) {
            return fromText((String) raw, context);
          }
          if (!(raw instanceof TomlTable)) {
            throw ValueType.InvalidValue.expected(PricingOverrides.EXPECTED_TABLE);
          }
          try {
            return PricingOverrides.fromTree(tree(raw, PricingOverrides.nodeFactory()));
          } catch (PricingOverrideException e) {
            throw invalid(e);
          }
        }

        @Override
        PricingOverride fromText(String raw, ValueType.Context context)
            throws ValueType.InvalidValue {
          try {
            return PricingOverrides.parse(raw);
          } catch (PricingOverrideException e) {
            throw invalid(e);
          }
        }

        @Override
        String label() {
          return "JSON";
        }

        @Override
        String show(PricingOverride value) {
          if (value.isEmpty()) {
            return "(none)";
          }
          int n = value.models().size();
          return n + (n == 1 ? " model " : " models ") + value;
        }
      };

  private static ValueType.InvalidValue invalid(PricingOverrideException e) {
    List<ValueType.Issue> issues = new ArrayList<>();
    for (PricingOverrideException.Problem p : e.problems()) {
      issues.add(new ValueType.Issue(p.path(), p.shown(), p.expected()));
    }
    return new ValueType.InvalidValue(issues);
  }

  /**
   * Turns a value parsed by tomlj into a JSON tree: tables become objects (key order kept), numbers
   * exact decimals; values JSON has no form for (dates, infinities) are kept as they are, to be
   * shown and refused as what they are.
   */
  static JsonNode tree(Object toml, JsonNodeFactory nodes) {
    if (toml instanceof TomlTable) {
      TomlTable table = (TomlTable) toml;
      ObjectNode object = nodes.objectNode();
      for (String key : table.keySet()) {
        object.set(key, tree(table.get(Collections.singletonList(key)), nodes));
      }
      return object;
    }
    if (toml instanceof TomlArray) {
      TomlArray array = (TomlArray) toml;
      ArrayNode node = nodes.arrayNode();
      for (int i = 0; i < array.size(); i++) {
        node.add(tree(array.get(i), nodes));
      }
      return node;
    }
    if (toml instanceof Long) {
      return nodes.numberNode(BigDecimal.valueOf((Long) toml));
    }
    if (toml instanceof Double && Double.isFinite((Double) toml)) {
      return nodes.numberNode(BigDecimal.valueOf((Double) toml));
    }
    if (toml instanceof String) {
      return nodes.textNode((String) toml);
    }
    if (toml instanceof Boolean) {
      return nodes.booleanNode((Boolean) toml);
    }
    return nodes.pojoNode(toml);
  }
}
