/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

  @Test
  void tryAcquire_refusesPastTheLimitUntilReleased() {
    MemoryBudget budget = MemoryBudget.of(100);

    assertThat(budget.tryAcquire(60)).isTrue();
    assertThat(budget.tryAcquire(50)).isFalse();
    assertThat(budget.tryAcquire(40)).isTrue();
    budget.release(60);
    assertThat(budget.used()).isEqualTo(40);
    assertThat(budget.tryAcquire(50)).isTrue();
  }

  @Test
  void tryAcquire_oversizedAllowedWhenNothingIsHeld() {
    MemoryBudget budget = MemoryBudget.of(100);

    assertThat(budget.tryAcquire(500)).isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
  }

  @Test
  void acquire_countsEvenPastTheLimit() {
    MemoryBudget budget = MemoryBudget.of(100);
    budget.acquire(150);

    assertThat(budget.used()).isEqualTo(150);
    assertThat(budget.tryAcquire(1)).isFalse();
  }

  @Test
  void reservation_growsPastTheLimitOnlyWhileItIsAlone() {
    MemoryBudget budget = MemoryBudget.of(100);
    MemoryBudget.Reservation alone = budget.reservation();
    MemoryBudget.Reservation other = budget.reservation();

    // Grown as a large request arrives, as it could have been taken at once.
    assertThat(alone.tryGrowTo(60)).isTrue();
    assertThat(alone.tryGrowTo(150)).isTrue();
    assertThat(other.tryGrowTo(1)).isFalse();
    alone.close();
    assertThat(other.tryGrowTo(60)).isTrue();
    assertThat(alone.tryGrowTo(30)).isTrue();
    assertThat(alone.tryGrowTo(50)).isFalse();
    assertThat(budget.used()).isEqualTo(90);
  }

  @Test
  void reservation_growsAndGivesEverythingBackOnce() {
    MemoryBudget budget = MemoryBudget.of(100);
    MemoryBudget.Reservation r = budget.reservation();

    assertThat(r.tryGrowTo(30)).isTrue();
    assertThat(r.tryGrowTo(20)).isTrue();
    assertThat(r.tryGrowTo(80)).isTrue();
    assertThat(budget.used()).isEqualTo(80);
    budget.acquire(10);
    assertThat(r.tryGrowTo(95)).isFalse();
    assertThat(r.held()).isEqualTo(80);

    r.close();
    r.close();
    assertThat(budget.used()).isEqualTo(10);
  }

  @Test
  void fromHeap_isFortyPercentOfTheMaximumHeap() {
    assertThat(MemoryBudget.fromHeap().limit())
        .isEqualTo((long) (Runtime.getRuntime().maxMemory() * 0.4));
  }

  @Test
  void of_refusesANonPositiveLimit() {
    assertThatThrownBy(() -> MemoryBudget.of(0))
        .hasMessage("rate_limiting.max_buffer_bytes: 0 (expected: > 0)");
  }
}
