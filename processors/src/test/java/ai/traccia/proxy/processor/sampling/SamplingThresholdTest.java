/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class SamplingThresholdTest {

  @Test
  void forRate_encodesAsTheSpecificationsExamples() {
    assertThat(SamplingThreshold.encode(SamplingThreshold.forRate(1.0))).isEqualTo("0");
    assertThat(SamplingThreshold.encode(SamplingThreshold.forRate(0.5))).isEqualTo("8");
    assertThat(SamplingThreshold.encode(SamplingThreshold.forRate(0.25))).isEqualTo("c");
    assertThat(SamplingThreshold.encode(SamplingThreshold.forRate(0.75))).isEqualTo("4");
    assertThat(SamplingThreshold.forRate(0.0)).isEqualTo(SamplingThreshold.MAX);
  }

  @Test
  void threshold_parsesTheOtMemberAmongOthers() {
    assertThat(SamplingThreshold.threshold("ot=th:8")).isEqualTo(1L << 55);
    assertThat(SamplingThreshold.threshold("vendor=x,ot=rv:00000000000001;th:c,b=2"))
        .isEqualTo(0xcL << 52);
    assertThat(SamplingThreshold.threshold("ot=th:0")).isZero();
    assertThat(SamplingThreshold.threshold("ot=th:")).isEqualTo(-1);
    assertThat(SamplingThreshold.threshold("ot=th:123456789abcdef")).isEqualTo(-1);
    assertThat(SamplingThreshold.threshold("ot=th:zz")).isEqualTo(-1);
    assertThat(SamplingThreshold.threshold("ot=th:C")).isEqualTo(-1);
    assertThat(SamplingThreshold.threshold("other=th:8")).isEqualTo(-1);
    assertThat(SamplingThreshold.threshold("")).isEqualTo(-1);
  }

  @Test
  void adjustedCount_isTheInverseProbability() {
    assertThat(SamplingThreshold.adjustedCount("ot=th:8")).isEqualTo(2.0);
    assertThat(SamplingThreshold.adjustedCount("ot=th:c")).isEqualTo(4.0);
    assertThat(SamplingThreshold.adjustedCount("ot=th:a")).isCloseTo(8.0 / 3, within(1e-12));
    assertThat(SamplingThreshold.adjustedCount("ot=th:0")).isEqualTo(1.0);
    assertThat(SamplingThreshold.adjustedCount("ot=th:bad!")).isEqualTo(1.0);
    assertThat(SamplingThreshold.adjustedCount("")).isEqualTo(1.0);
    assertThat(SamplingThreshold.adjustedCount(null)).isEqualTo(1.0);
  }

  @Test
  void randomness_lastSevenBytesOfTraceIdOrRv() {
    byte[] id = new byte[16];
    for (int k = 0; k < 16; k++) {
      id[k] = (byte) (k + 1);
    }
    ByteString traceId = ByteString.copyFrom(id);

    assertThat(SamplingThreshold.randomness(traceId, "")).isEqualTo(0x0a0b0c0d0e0f10L);
    assertThat(SamplingThreshold.randomness(traceId, "ot=rv:ffffffffffffff"))
        .isEqualTo(0xffffffffffffffL);
    assertThat(SamplingThreshold.randomness(traceId, "ot=rv:short")).isEqualTo(0x0a0b0c0d0e0f10L);
    assertThat(SamplingThreshold.randomness(ByteString.copyFrom(new byte[3]), "")).isEqualTo(-1);
  }

  @Test
  void withThreshold_setsThKeepsTheRestAndMovesOtFirst() {
    assertThat(SamplingThreshold.withThreshold("", 1L << 55)).isEqualTo("ot=th:8");
    assertThat(SamplingThreshold.withThreshold(null, 0)).isEqualTo("ot=th:0");
    assertThat(SamplingThreshold.withThreshold("a=1,ot=rv:0123456789abcd;th:8,b=2", 0xcL << 52))
        .isEqualTo("ot=th:c;rv:0123456789abcd,a=1,b=2");
    assertThat(SamplingThreshold.withThreshold("a=1,ot=th:8", SamplingThreshold.MAX))
        .isEqualTo("a=1");
    assertThat(SamplingThreshold.threshold(SamplingThreshold.withThreshold("x=y", 12345L << 8)))
        .isEqualTo(12345L << 8);
  }
}
