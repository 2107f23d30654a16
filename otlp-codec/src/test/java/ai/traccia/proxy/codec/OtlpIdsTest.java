/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class OtlpIdsTest {

  @Test
  void hex_lowercaseTwoCharactersAByte() {
    ByteString id =
        ByteString.copyFrom(new byte[] {0x00, 0x0f, (byte) 0xa0, (byte) 0xff, 0x5b, (byte) 0x8e});

    assertThat(OtlpIds.hex(id)).isEqualTo("000fa0ff5b8e");
    assertThat(OtlpIds.hex(ByteString.EMPTY)).isEmpty();
  }
}
