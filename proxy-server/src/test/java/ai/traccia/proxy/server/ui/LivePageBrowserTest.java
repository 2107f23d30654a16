/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page in a real browser: headless Chromium loads it from a running proxy while spans flow
 * in, and the test reads what the page's scripts rendered. Skips when no Chromium is installed
 * ({@code apt-get install chromium} on Debian). Leaves a screenshot in {@code
 * target/live-page.png}.
 */
class LivePageBrowserTest {

  @TempDir Path temp;

  private LiveFixture proxy;
  private HeadlessChromium browser;
  private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() throws Exception {
    Optional<HeadlessChromium> found = HeadlessChromium.find(temp.resolve("profile"));
    assumeTrue(
        found.isPresent(),
        "No Chromium found (set CHROMIUM_BIN, or apt-get install chromium); the browser test of"
            + " the live page is skipped");
    browser = found.get();
    proxy = new LiveFixture();
    proxy.sendAgentTraces();
    // Spans keep arriving while the browser loads and polls the page.
    AtomicInteger n = new AtomicInteger(100);
    sender.scheduleWithFixedDelay(
        () -> {
          int seed = n.incrementAndGet();
          if (seed > 104) {
            return; // a few are enough to show the page updating; more would crowd the screenshot
          }
          long now = System.currentTimeMillis() * 1_000_000L;
          try {
            proxy.send(
                LiveFixture.request(
                    "batch-jobs",
                    LiveFixture.span(LiveFixture.id(16, seed), seed, 0, "nightly job", now, 30)
                        .build()));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        0,
        300,
        TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    sender.shutdownNow();
    sender.awaitTermination(5, TimeUnit.SECONDS);
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void page_showsTracesCostsAndPromptsAsText() throws Exception {
    String supportTrace = LiveFixture.hexTraceId(1);
    String dom = browser.dumpDom(proxy.adminUrl() + "?trace=" + supportTrace, 6_000);

    // A trace appears, with its root, service, agent and guardrail badges.
    assertThat(dom).contains("support agent run", "support-bot", "triage-agent");
    assertThat(dom).contains("research agent run", "writer");
    assertThat(dom).containsPattern("class=\"badge detected\"[^>]*>input_validation<");
    assertThat(dom).containsPattern("class=\"badge triggered\"[^>]*>input_validation<");
    assertThat(dom).containsPattern("class=\"badge missing\"[^>]*>prompt_injection<");
    assertThat(dom).contains("nightly job"); // arrived while the page was open

    // Costs match what the proxy wrote on the spans it forwarded.
    assertThat(costCell(dom, "support agent run")).isEqualTo(usd(proxy.exportedCost(1)));
    assertThat(costCell(dom, "research agent run")).startsWith(usd(proxy.exportedCost(2)));
    assertThat(dom).contains("in-house-model-7b"); // listed as unpriced

    // The prompt with a script tag is text in the trace tree, never an element.
    assertThat(dom).contains("Summarise this: &lt;script&gt;alert(1)&lt;/script&gt; please");
    assertThat(dom).doesNotContain("<script>alert(1)");
    assertThat(Pattern.compile("<script").matcher(dom).results().count()).isEqualTo(2);
    // Attributes the proxy added are highlighted; credentials are not shown.
    assertThat(dom).containsPattern("class=\"key proxy-key\"[^>]*>llm\\.cost\\.usd<");
    assertThat(dom).doesNotContain("sk-live-secret");
    // The charts were drawn by the vendored library.
    assertThat(dom).contains("class=\"uplot");

    Path screenshot = Path.of("target", "live-page.png");
    browser.screenshot(proxy.adminUrl() + "?trace=" + supportTrace, 6_000, screenshot, 1400, 2300);
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
  }

  /** The text of the cost cell in the row whose root is {@code root}. */
  private static String costCell(String dom, String root) {
    Matcher m =
        Pattern.compile(
                "class=\"root\">" + Pattern.quote(root) + "</td>.*?<td class=\"num cost\">([^<]*)<",
                Pattern.DOTALL)
            .matcher(dom);
    assertThat(m.find()).as("a row for " + root).isTrue();
    return m.group(1);
  }

  /** As the page formats dollars (live.js {@code usd}). */
  private static String usd(double value) {
    if (value == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, value < 0.01 ? "%.6f" : "%.4f", value);
  }
}
