/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void url_hidesUserInfoQueryAndFragment() {
    assertThat(Redaction.url(URI.create("https://u:p@h:1/x?key=s#frag")))
        .isEqualTo("https://****@h:1/x?****");
    assertThat(Redaction.url("https://h/x#token=s")).isEqualTo("https://h/x#****");
    assertThat(Redaction.url("https://h:4317?token=s")).isEqualTo("https://h:4317?****");
  }

  @Test
  void url_withoutSecretsUnchanged() {
    assertThat(Redaction.url("http://collector:4318/v1/traces"))
        .isEqualTo("http://collector:4318/v1/traces");
    assertThat(Redaction.url("http://h/a@b")).isEqualTo("http://h/a@b");
  }
}
