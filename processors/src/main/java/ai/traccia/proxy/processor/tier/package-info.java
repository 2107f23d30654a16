/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * What lets the proxy run in two tiers without doing a span's work twice: a sidecar tier that does
 * the per-span work next to the application, and a gateway tier that sees whole traces.
 *
 * <p>A sidecar marks every span it enriched with {@link EnrichedMark#KEY} ({@code
 * traccia.proxy.enriched = true}); a gateway wraps its per-span stages in {@link
 * SkipEnrichedProcessor}, so a marked span is not enriched again while an unmarked one (from a
 * client that sends to the gateway directly) still is.
 */
package ai.traccia.proxy.processor.tier;
