/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerAuthTest {

  private final BearerAuth auth =
      BearerAuth.of(
          List.of("tok-plain"),
          Map.of("team-a", List.of("tok-a1", "tok-a2"), "team-b", List.of("tok-b")),
          "tenant.id");

  @Test
  void none_acceptsEverything() {
    assertThat(BearerAuth.none().isEnabled()).isFalse();
    assertThat(BearerAuth.of(List.of(), Map.of(), "tenant.id").isEnabled()).isFalse();
    assertThat(BearerAuth.none().check(null).isAccepted()).isTrue();
  }

  @Test
  void check_tokenWithoutTenant() {
    BearerAuth.Result result = auth.check("Bearer tok-plain");

    assertThat(result.isAccepted()).isTrue();
    assertThat(result.tenant()).isNull();
  }

  @Test
  void check_tenantTokens_anyOfThem_schemeInAnyCase() {
    assertThat(auth.check("Bearer tok-a1").tenant()).hasToString("tenant.id=team-a");
    assertThat(auth.check("bearer  tok-a2 ").tenant().name()).isEqualTo("team-a");
    assertThat(auth.check("BEARER tok-b").tenant().name()).isEqualTo("team-b");
  }

  @Test
  void check_missingOrOtherScheme() {
    for (String header : new String[] {null, "", "tok-plain", "Basic dG9rLXBsYWlu"}) {
      BearerAuth.Result result = auth.check(header);
      assertThat(result.isAccepted()).as(header).isFalse();
      assertThat(result.challenge()).isEqualTo("Bearer");
      assertThat(result.message())
          .isEqualTo(
              "this OTLP endpoint requires a bearer token: send the header 'Authorization: Bearer"
                  + " <token>'");
    }
  }

  @Test
  void check_wrongTokens_includingPrefixesAndExtensions() {
    for (String token :
        new String[] {"tok-plai", "tok-plainx", "tok-a", "TOK-PLAIN", "tok-plain tok-a1"}) {
      BearerAuth.Result result = auth.check("Bearer " + token);
      assertThat(result.isAccepted()).as(token).isFalse();
      assertThat(result.challenge()).isEqualTo("Bearer error=\"invalid_token\"");
      // Nothing of the token is echoed back.
      assertThat(result.message())
          .isEqualTo("the bearer token was not accepted; check the token the exporter sends");
    }
  }

  @Test
  void check_comparesFixedLengthDigests_soTokenLengthDoesNotMatter() {
    // The comparison is over SHA-256 digests, every configured one each time: a near miss, a
    // completely different token and a huge one all take the same comparison path and fail.
    String huge = "x".repeat(64 * 1024);
    assertThat(auth.check("Bearer " + huge).isAccepted()).isFalse();
    BearerAuth one = BearerAuth.of(List.of(huge), Map.of(), "tenant.id");
    assertThat(one.check("Bearer " + huge).isAccepted()).isTrue();
    assertThat(one.check("Bearer " + huge.substring(1)).isAccepted()).isFalse();
  }
}
