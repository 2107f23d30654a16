/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.server.ratelimit.SpanRateLimiter.Decision;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SpanRateLimiterTest {

  /** Time that moves only when the limiter sleeps or the test says so. */
  private static final class FakeTicker implements SpanRateLimiter.Ticker {
    long now = 1_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      sleeps.add(nanos);
      now += nanos;
    }

    void advance(Duration d) {
      now += d.toNanos();
    }
  }

  private final FakeTicker ticker = new FakeTicker();

  @Test
  void acquire_unlimitedAdmitsEverything() {
    SpanRateLimiter limiter = SpanRateLimiter.unlimited();

    Decision d = limiter.acquire(1_000_000);

    assertThat(d.admitted()).isEqualTo(1_000_000);
    assertThat(d.refused()).isFalse();
  }

  @Test
  void acquire_startsFullThenRefusesWithTheDeficitAsRetryDelay() {
    SpanRateLimiter limiter = SpanRateLimiter.create(10, Duration.ZERO, Policy.REFUSE, ticker);

    assertThat(limiter.acquire(10).admitted()).isEqualTo(10);
    Decision refused = limiter.acquire(4);

    assertThat(refused.refused()).isTrue();
    assertThat(refused.admitted()).isZero();
    // 4 tokens at 10 per second take 400 ms to come back.
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(400));
    assertThat(ticker.sleeps).isEmpty();
  }

  @Test
  void acquire_refillsByElapsedTimeUpToTheCapacity() {
    SpanRateLimiter limiter = SpanRateLimiter.create(10, Duration.ZERO, Policy.REFUSE, ticker);
    limiter.acquire(10);

    ticker.advance(Duration.ofMillis(500));
    assertThat(limiter.tokens()).isEqualTo(5.0);
    ticker.advance(Duration.ofSeconds(60));
    assertThat(limiter.tokens()).isEqualTo(10.0);
  }

  @Test
  void acquire_waitsUpToMaxBlockForTokens() {
    SpanRateLimiter limiter =
        SpanRateLimiter.create(100, Duration.ofMillis(50), Policy.REFUSE, ticker);
    limiter.acquire(100);

    Decision d = limiter.acquire(3);

    assertThat(d.admitted()).isEqualTo(3);
    assertThat(ticker.sleeps).containsExactly(TimeUnit.MILLISECONDS.toNanos(30));
  }

  @Test
  void acquire_refusesWithoutWaitingWhenMaxBlockCannotCoverTheDeficit() {
    SpanRateLimiter limiter =
        SpanRateLimiter.create(100, Duration.ofMillis(50), Policy.REFUSE, ticker);
    limiter.acquire(100);

    Decision d = limiter.acquire(80);

    assertThat(d.refused()).isTrue();
    assertThat(d.retryAfter()).isEqualTo(Duration.ofMillis(800));
    assertThat(ticker.sleeps).isEmpty();
  }

  @Test
  void acquire_dropPolicyAdmitsWholeTokensAndDropsTheRest() {
    SpanRateLimiter limiter = SpanRateLimiter.create(10, Duration.ZERO, Policy.DROP, ticker);
    limiter.acquire(8);

    Decision d = limiter.acquire(5);

    assertThat(d.refused()).isFalse();
    assertThat(d.admitted()).isEqualTo(2);
    assertThat(d.dropped()).isEqualTo(3);
    assertThat(limiter.acquire(1).admitted()).isZero();
  }

  @Test
  void acquire_rateBelowOneStillAdmitsSpans() {
    // with a capacity equal to the rate, 0.5 spans per second would never admit a span.
    SpanRateLimiter limiter = SpanRateLimiter.create(0.5, Duration.ZERO, Policy.REFUSE, ticker);

    assertThat(limiter.acquire(1).admitted()).isEqualTo(1);
    Decision next = limiter.acquire(1);
    assertThat(next.refused()).isTrue();
    assertThat(next.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    ticker.advance(Duration.ofSeconds(2));
    assertThat(limiter.acquire(1).admitted()).isEqualTo(1);
  }

  @Test
  void acquire_requestLargerThanTheBucketGoesIntoDebt() {
    SpanRateLimiter limiter = SpanRateLimiter.create(10, Duration.ZERO, Policy.REFUSE, ticker);

    assertThat(limiter.acquire(30).admitted()).isEqualTo(30);
    assertThat(limiter.tokens()).isEqualTo(-20.0);
    // The debt and one token take 2.1 s to refill: the long-run rate stays 10 per second.
    assertThat(limiter.acquire(1).retryAfter()).isEqualTo(Duration.ofMillis(2100));
  }

  @Test
  void update_takesEffectForTheNextRequest() {
    SpanRateLimiter limiter = SpanRateLimiter.create(10, Duration.ZERO, Policy.REFUSE, ticker);
    limiter.acquire(10);

    limiter.update(0, Duration.ZERO, Policy.REFUSE);
    assertThat(limiter.acquire(1_000).admitted()).isEqualTo(1_000);

    limiter.update(2, Duration.ZERO, Policy.DROP);
    assertThat(limiter.rate()).isEqualTo(2.0);
    assertThat(limiter.policy()).isEqualTo(Policy.DROP);
    assertThat(limiter.tokens()).isLessThanOrEqualTo(2.0);
  }

  @Test
  void acquire_interruptedWhileWaitingIsARefusal() {
    SpanRateLimiter.Ticker interrupting =
        new SpanRateLimiter.Ticker() {
          @Override
          public long nanoTime() {
            return ticker.nanoTime();
          }

          @Override
          public void sleepNanos(long nanos) throws InterruptedException {
            throw new InterruptedException();
          }
        };
    SpanRateLimiter limiter =
        SpanRateLimiter.create(10, Duration.ofSeconds(1), Policy.REFUSE, interrupting);
    limiter.acquire(10);

    Decision d = limiter.acquire(1);

    assertThat(d.refused()).isTrue();
    assertThat(Thread.interrupted()).isTrue();
  }

  @Test
  void policy_parse() {
    assertThat(Policy.parse(" Drop ")).isEqualTo(Policy.DROP);
    assertThat(Policy.parse("refuse")).isEqualTo(Policy.REFUSE);
    assertThatThrownBy(() -> Policy.parse("block"))
        .hasMessage("rate_limiting.policy: \"block\" (expected: \"refuse\" or \"drop\")");
  }
}
