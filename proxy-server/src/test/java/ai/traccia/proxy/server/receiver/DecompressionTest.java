/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.server.queue.MemoryBudget;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DecompressionTest {

  private static final int MIB = 1024 * 1024;

  @Test
  void inflate_takesTheInflatedBytesFromTheBudgetAsTheyGrow() throws Exception {
    MemoryBudget budget = MemoryBudget.of(64L * MIB);
    MemoryBudget.Reservation r = budget.reservation();
    byte[] bomb = HttpBoundsTest.gzipBomb(3 * MIB);

    byte[] inflated = Decompression.inflate(new ByteArrayInputStream(bomb), "gzip", 64L * MIB, r);

    assertThat(inflated).hasSize(3 * MIB);
    // The buffer doubled from 16 KiB to 4 MiB: twice that is held for it and its decoded form.
    assertThat(r.held()).isEqualTo(2L * 4 * MIB);
    r.close();
    assertThat(budget.used()).isZero();
  }

  @Test
  void inflate_concurrentBombsStopAtTheBudget() throws Exception {
    MemoryBudget budget = MemoryBudget.of(8L * MIB);
    byte[] bomb = HttpBoundsTest.gzipBomb(32 * MIB);
    MemoryBudget.Reservation first = budget.reservation();
    MemoryBudget.Reservation second = budget.reservation();
    first.tryGrowTo(bomb.length);
    second.tryGrowTo(bomb.length);

    assertThatThrownBy(
            () -> Decompression.inflate(new ByteArrayInputStream(bomb), "gzip", 64L * MIB, first))
        .isInstanceOf(Decompression.OverBudgetException.class);
    assertThat(budget.used()).isLessThanOrEqualTo(8L * MIB);
    first.close();
    second.close();
    assertThat(budget.used()).isZero();
  }

  @Test
  void inflate_overTheLimitTooLarge() throws Exception {
    MemoryBudget budget = MemoryBudget.of(64L * MIB);
    MemoryBudget.Reservation r = budget.reservation();

    assertThatThrownBy(
            () ->
                Decompression.inflate(
                    new ByteArrayInputStream(HttpBoundsTest.gzipBomb(2 * MIB)), "gzip", MIB, r))
        .isInstanceOf(Decompression.TooLargeException.class)
        .hasMessage("the request body inflates to more than the limit of 1048576 bytes");
  }

  @Test
  void inflate_exactlyTheLimitAccepted() throws Exception {
    byte[] inflated =
        Decompression.inflate(
            new ByteArrayInputStream(HttpBoundsTest.gzipBomb(MIB)),
            "gzip",
            MIB,
            MemoryBudget.of(64L * MIB).reservation());

    assertThat(inflated).hasSize(MIB);
    assertThat(Arrays.equals(inflated, new byte[MIB])).isTrue();
  }

  @Test
  void inflate_invalidGzip() {
    assertThatThrownBy(
            () ->
                Decompression.inflate(
                    new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}),
                    "gzip",
                    MIB,
                    null))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageStartingWith("the body is not valid gzip: ");
  }
}
