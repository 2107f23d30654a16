/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TiktokenModelsTest {

  @Test
  void encodingName_matchesTiktokenForEveryFixtureModel() {
    JsonNode models = TiktokenFixture.ROOT.get("models");
    assertThat(models.size()).isGreaterThan(40);
    Iterator<Map.Entry<String, JsonNode>> it = models.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String expected = e.getValue().isNull() ? null : e.getValue().asText();

      assertThat(TiktokenModels.encodingName(e.getKey())).as(e.getKey()).isEqualTo(expected);
    }
  }

  @Test
  void encodingNameForSpanModel_acceptsCaseAndProviderPrefix() {
    assertThat(TiktokenModels.encodingNameForSpanModel("GPT-4o")).isEqualTo("o200k_base");
    assertThat(TiktokenModels.encodingNameForSpanModel("openai/gpt-4.1-mini"))
        .isEqualTo("o200k_base");
    assertThat(TiktokenModels.encodingNameForSpanModel("azure/gpt-35-turbo"))
        .isEqualTo("cl100k_base");
    assertThat(TiktokenModels.encodingNameForSpanModel("claude-3-5-sonnet-20241022")).isNull();
    assertThat(TiktokenModels.encodingNameForSpanModel("anthropic/claude-sonnet-4-5")).isNull();
  }

  @Test
  void vocabulary_harmonyCountsAsO200kBase() {
    assertThat(TiktokenModels.vocabulary("o200k_harmony")).isEqualTo("o200k_base");
    assertThat(TiktokenModels.vocabulary("p50k_edit")).isEqualTo("p50k_edit");
    assertThatThrownBy(() -> TiktokenModels.vocabulary("gpt2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown encoding: gpt2");
  }
}
