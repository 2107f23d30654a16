/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A pricing table in the format of the bundled snapshot and the local cache: a header (when and
 * from where the prices were taken) and prices per model key, in USD per token.
 *
 * <p>{@link #parse} also reads LiteLLM's {@code model_prices_and_context_window.json} and the
 * Traccia platform's per-1,000-token table, converting them. Immutable and thread-safe; reading and
 * writing block on the file system.
 */
public final class PriceTable {

  /** LiteLLM's price file on its main branch, the source of the bundled snapshot. */
  public static final String UPSTREAM_URL =
      "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";

  /** The value of the header's {@code format} field. */
  static final String FORMAT = "traccia-pricing";

  /** The only {@code format_version} this code reads and writes. */
  static final int FORMAT_VERSION = 1;

  static final String BUNDLED_RESOURCE = "snapshot.json";

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static volatile PriceTable bundled;

  private final Instant generatedAt;
  private final Instant pricesAsOf;
  private final String snapshotVersion;
  private final String source;
  private final String sourceUrl;
  private final String sourceRevision;
  private final String etag;
  private final Map<String, ModelPrice> prices;
  private final Map<String, String> providers;
  private final int skipped;

  PriceTable(
      Instant generatedAt,
      Instant pricesAsOf,
      String snapshotVersion,
      String source,
      String sourceUrl,
      String sourceRevision,
      String etag,
      Map<String, ModelPrice> prices,
      Map<String, String> providers,
      int skipped) {
    this.generatedAt = Objects.requireNonNull(generatedAt, "generatedAt");
    this.pricesAsOf = pricesAsOf;
    this.snapshotVersion = snapshotVersion;
    this.source = Objects.requireNonNull(source, "source");
    this.sourceUrl = sourceUrl;
    this.sourceRevision = sourceRevision;
    this.etag = etag;
    this.prices = Collections.unmodifiableMap(new TreeMap<>(prices));
    this.providers = Collections.unmodifiableMap(new TreeMap<>(providers));
    this.skipped = skipped;
  }

  /**
   * The snapshot bundled in this jar, parsed once.
   *
   * @throws IllegalStateException if the resource is missing or invalid, which is a build error
   */
  public static PriceTable bundled() {
    PriceTable table = bundled;
    if (table == null) {
      synchronized (PriceTable.class) {
        table = bundled;
        if (table == null) {
          table = bundled = loadBundled();
        }
      }
    }
    return table;
  }

  private static PriceTable loadBundled() {
    try (InputStream in = PriceTable.class.getResourceAsStream(BUNDLED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "The bundled pricing snapshot ai/traccia/proxy/pricing/"
                + BUNDLED_RESOURCE
                + " is missing from the class path; the jar is incomplete.");
      }
      return SnapshotFormat.read(JSON.readTree(in), "the bundled pricing snapshot");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the bundled pricing snapshot", e);
    } catch (PricingFormatException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Reads a table in this format (a cache or snapshot file); other formats are rejected.
   *
   * @throws IOException if the file cannot be read
   * @throws PricingFormatException if it is not a valid table of this format
   */
  public static PriceTable read(Path file) throws IOException, PricingFormatException {
    byte[] bytes = Files.readAllBytes(file);
    return SnapshotFormat.read(tree(bytes, file.toString()), file.toString());
  }

  /**
   * Parses a table in any format this proxy understands, converting it: this format as it is;
   * LiteLLM's price file (chat, completion and responses models with per-token input and output
   * prices); or a {@code {"models": {"gpt-4o": {"prompt": 0.0025, ...}}}} table in USD per 1,000
   * tokens, as the Traccia platform serves it. A converted table's {@code generated_at} is {@code
   * now}.
   *
   * @param origin where the bytes came from, for messages (a path or URL)
   * @param sourceUrl the URL recorded as the converted table's source, or null
   * @throws PricingFormatException if the bytes are not such a table or no model can be priced
   */
  public static PriceTable parse(byte[] json, String origin, String sourceUrl, Instant now)
      throws PricingFormatException {
    JsonNode root = tree(json, origin);
    if (root.has("format")) {
      return SnapshotFormat.read(root, origin);
    }
    if (root.path("models").isObject()) {
      return PerThousandFormat.read(root, origin, sourceUrl, now);
    }
    return LiteLlmFormat.read(root, origin, sourceUrl, now);
  }

  private static JsonNode tree(byte[] json, String origin) throws PricingFormatException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new PricingFormatException(
          origin
              + ": not valid JSON ("
              + e.getOriginalMessage()
              + " at line "
              + e.getLocation().getLineNr()
              + ") (expected: a pricing table as a JSON object)",
          e);
    } catch (IOException e) {
      throw new PricingFormatException(origin + ": cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new PricingFormatException(
          origin
              + ": a JSON "
              + (root == null ? "document with no value" : root.getNodeType().name().toLowerCase())
              + " (expected: a pricing table as a JSON object)");
    }
    return root;
  }

  /**
   * Writes this table to {@code file} in this format, atomically: to a temporary file beside it
   * that then replaces it, so that readers see the old table or the new one, never a part. Creates
   * missing directories.
   *
   * @throws IOException if the file cannot be written; the old file is then unchanged
   */
  public void write(Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      Files.write(temp, toJson().getBytes(StandardCharsets.UTF_8));
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** This table in this format: the header, then one line per model, keys sorted. */
  public String toJson() {
    return SnapshotFormat.write(this);
  }

  /** When this file was produced (by the generator or {@code pricing refresh}). */
  public Instant generatedAt() {
    return generatedAt;
  }

  /** When the prices were taken from their source, if known; see {@link #effectiveDate()}. */
  public Optional<Instant> pricesAsOf() {
    return Optional.ofNullable(pricesAsOf);
  }

  /** The date staleness is measured from: {@link #pricesAsOf()}, else {@link #generatedAt()}. */
  public Instant effectiveDate() {
    return pricesAsOf != null ? pricesAsOf : generatedAt;
  }

  /** A version label, such as {@code 2025-11-21.caddc6dd}. */
  public Optional<String> snapshotVersion() {
    return Optional.ofNullable(snapshotVersion);
  }

  /** Where the prices come from: {@code litellm}, {@code platform}, or a label of the file. */
  public String source() {
    return source;
  }

  /** The URL of the source, if known. */
  public Optional<String> sourceUrl() {
    return Optional.ofNullable(sourceUrl);
  }

  /** The source's revision (a git commit), if known. */
  public Optional<String> sourceRevision() {
    return Optional.ofNullable(sourceRevision);
  }

  /** The HTTP entity tag the platform sent with this table, if any, for conditional refreshes. */
  public Optional<String> etag() {
    return Optional.ofNullable(etag);
  }

  /** The prices by model key, sorted by key; unmodifiable. */
  public Map<String, ModelPrice> prices() {
    return prices;
  }

  /** The provider of a key as the source names it ({@code openai}, {@code bedrock}, ...). */
  public Optional<String> provider(String key) {
    return Optional.ofNullable(providers.get(key));
  }

  /** The number of models. */
  public int modelCount() {
    return prices.size();
  }

  /** Entries of a converted source that were left out because a price was invalid. */
  public int skippedInvalidEntries() {
    return skipped;
  }

  /** This table with the platform's entity tag recorded. */
  public PriceTable withEtag(String etag) {
    return new PriceTable(
        generatedAt,
        pricesAsOf,
        snapshotVersion,
        source,
        sourceUrl,
        sourceRevision,
        etag,
        prices,
        providers,
        skipped);
  }

  /** This table with the date of its prices and a version derived from it (and the revision). */
  public PriceTable withPricesAsOf(Instant pricesAsOf, String sourceRevision) {
    return new PriceTable(
        generatedAt,
        pricesAsOf,
        version(pricesAsOf, sourceRevision),
        source,
        sourceUrl,
        sourceRevision,
        etag,
        prices,
        providers,
        skipped);
  }

  static String version(Instant date, String revision) {
    String day = date.toString().substring(0, 10);
    return revision == null
        ? day
        : day + "." + revision.substring(0, Math.min(8, revision.length()));
  }

  static Instant instant(JsonNode node, String field, String origin, boolean required)
      throws PricingFormatException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new PricingFormatException(
            origin + ": " + field + ": missing (expected: an ISO-8601 UTC time)");
      }
      return null;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new PricingFormatException(
          origin
              + ": "
              + field
              + ": "
              + value
              + " (expected: an ISO-8601 UTC time such as 2025-11-21T16:52:25Z)");
    }
  }

  /** The decimal of a number or a decimal string; null for anything else. */
  static BigDecimal decimal(JsonNode value) {
    if (value == null) {
      return null;
    }
    if (value.isNumber()) {
      return value.decimalValue();
    }
    if (value.isTextual()) {
      try {
        return new BigDecimal(value.asText().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
