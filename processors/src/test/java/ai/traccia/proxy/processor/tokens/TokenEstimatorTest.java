/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.processor.genai.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

  private static final TokenEstimator ESTIMATOR = new TokenEstimator();

  @Test
  void countText_equalsTiktokenForEveryFixtureText() {
    JsonNode texts = TiktokenFixture.ROOT.get("texts");
    assertThat(texts.size()).isGreaterThan(100);
    for (JsonNode c : texts) {
      String model = c.get("model").asText();
      TiktokenCounter encoding = ESTIMATOR.encodingFor(model);

      assertThat(encoding).as(model).isNotNull();
      assertThat(TokenEstimator.countText(encoding, c.get("text").asText()))
          .as("%s: %s", model, c.get("text").asText())
          .isEqualTo(c.get("tokens").asLong());
    }
  }

  @Test
  void countChat_equalsTiktokensChatFormula() {
    JsonNode chats = TiktokenFixture.ROOT.get("chats");
    assertThat(chats.size()).isEqualTo(12);
    for (JsonNode c : chats) {
      TiktokenCounter encoding = ESTIMATOR.encodingFor(c.get("model").asText());

      assertThat(TokenEstimator.countChat(encoding, TiktokenFixture.messages(c)))
          .as(c.toString())
          .isEqualTo(c.get("tokens").asLong());
    }
  }

  @Test
  void countChat_overheadIsThreePerMessageOnePerNameThreeToPrime() {
    List<ChatMessage> messages =
        List.of(new ChatMessage("", "", null), new ChatMessage("", "", "n"));

    // Heuristic: "n" is one token; 3 + 3 per message + 1 for the name + 3 priming.
    assertThat(TokenEstimator.countChat(null, messages)).isEqualTo(3 + 3 + 3 + 1 + 1);
  }

  @Test
  void heuristic_isOneTokenPerFourCharactersRoundedUp() {
    assertThat(TokenEstimator.countText(null, "")).isZero();
    assertThat(TokenEstimator.countText(null, "a")).isEqualTo(1);
    assertThat(TokenEstimator.countText(null, "abcd")).isEqualTo(1);
    assertThat(TokenEstimator.countText(null, "abcde")).isEqualTo(2);
    assertThat(TokenEstimator.countText(null, "What is the capital of France?")).isEqualTo(8);
  }

  @Test
  void encodingFor_nonOpenAiModelsHaveNone() {
    assertThat(ESTIMATOR.encodingFor("claude-3-haiku-20240307")).isNull();
    assertThat(ESTIMATOR.encodingFor("gemini-2.5-pro")).isNull();
    assertThat(ESTIMATOR.encodingFor(null)).isNull();
  }

  @Test
  void countText_specialTokenStringsAreOrdinaryText() {
    TiktokenCounter encoding = ESTIMATOR.encodingFor("gpt-4");

    assertThat(TokenEstimator.countText(encoding, "<|endoftext|>")).isEqualTo(7);
  }
}
