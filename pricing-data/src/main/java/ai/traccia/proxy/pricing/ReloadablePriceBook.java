/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link PriceBook} whose table can be swapped while it is in use: on a config reload ({@link
 * #reload}) or when the cache file changes ({@link #checkCacheFile}).
 *
 * <p>Lookups read one volatile reference to an immutable table, so they never block and never see a
 * half-built table. Reloads are serialised on a private lock and never throw: a problem is logged
 * and the previous table stays in force, or for a broken cache file, the bundled snapshot replaces
 * it. The first successful lookup of each table logs its staleness once (info past 7 days, warning
 * past 30).
 */
public final class ReloadablePriceBook implements PriceBook {

  private static final System.Logger LOG = System.getLogger(ReloadablePriceBook.class.getName());

  private final Clock clock;
  private final Object lock = new Object();

  // Published after it is fully built; readers need no lock.
  private volatile LayeredPriceBook current;

  // Guarded by lock.
  private PricingSettings settings;
  private FileStamp cacheStamp;

  ReloadablePriceBook(PricingSettings settings, Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    synchronized (lock) {
      apply(Objects.requireNonNull(settings, "settings"));
    }
  }

  @Override
  public Optional<PriceMatch> find(String model, String provider) {
    LayeredPriceBook book = current;
    Optional<PriceMatch> match = book.find(model, provider);
    if (match.isPresent()
        && !book.stalenessLogged.get()
        && book.stalenessLogged.compareAndSet(false, true)) {
      logStaleness(book.info());
    }
    return match;
  }

  @Override
  public PricingInfo info() {
    return current.info();
  }

  /**
   * Re-applies the precedence with {@code settings}: its overrides and its cache path. Never
   * throws; blocks while the cache file is read.
   */
  public void reload(PricingSettings settings) {
    Objects.requireNonNull(settings, "settings");
    synchronized (lock) {
      try {
        apply(settings);
      } catch (RuntimeException e) {
        LOG.log(
            Level.ERROR,
            "Could not reload the pricing table; the previous one stays in force ("
                + current.info()
                + ").",
            e);
      }
    }
  }

  /**
   * Reloads when the cache file was created, changed or deleted since it was last read. Costs one
   * file-system stat when nothing changed; never throws.
   */
  public void checkCacheFile() {
    synchronized (lock) {
      if (!FileStamp.of(settings.cachePath()).equals(cacheStamp)) {
        reload(settings);
      }
    }
  }

  // Called with lock held.
  private void apply(PricingSettings settings) {
    Path cachePath = settings.cachePath();
    // Stamp before reading, so a write during the read is seen by the next check.
    FileStamp stamp = FileStamp.of(cachePath);
    PriceTable base = PriceTable.bundled();
    PricingSource baseSource = PricingSource.BUNDLED;
    if (stamp.exists) {
      try {
        base = PriceTable.read(cachePath);
        baseSource = PricingSource.CACHE;
      } catch (IOException | PricingFormatException e) {
        String problem =
            e instanceof PricingFormatException
                ? e.getMessage()
                : cachePath + ": cannot be read (" + e + ")";
        LOG.log(
            Level.WARNING,
            "Ignoring the local pricing cache: "
                + problem
                + ". Using the bundled snapshot instead. Run 'traccia-proxy pricing refresh' to"
                + " rewrite the cache, or 'traccia-proxy pricing clear' to remove it.");
      }
    }
    LayeredPriceBook book =
        LayeredPriceBook.create(
            base,
            baseSource,
            settings.envOverride(),
            settings.configOverride(),
            clock.instant(),
            current);
    this.settings = settings;
    this.cacheStamp = stamp;
    this.current = book;
    LOG.log(Level.DEBUG, () -> "Pricing table in force: " + book.info());
  }

  private static void logStaleness(PricingInfo info) {
    Optional<String> warning = staleness(info, true);
    if (warning.isPresent()) {
      LOG.log(Level.WARNING, warning.get());
      return;
    }
    staleness(info, false).ifPresent(message -> LOG.log(Level.INFO, message));
  }

  /**
   * The staleness message of {@code info}: with {@code warning}, the one for tables older than 30
   * days, else the one for tables older than 7 days; empty when the table is younger.
   */
  static Optional<String> staleness(PricingInfo info, boolean warning) {
    if (!info.ageDays().isPresent() || !info.generatedAt().isPresent()) {
      return Optional.empty();
    }
    long age = info.ageDays().getAsLong();
    String head =
        "Pricing table ("
            + info.baseSource().label()
            + ") is "
            + age
            + " days old (prices from "
            + info.generatedAt().get().toString().substring(0, 10)
            + "). ";
    if (warning) {
      return age > 30
          ? Optional.of(
              head
                  + "Run 'traccia-proxy pricing refresh' to download the latest prices; costs of"
                  + " newer models and changed prices are missing or wrong until then.")
          : Optional.empty();
    }
    return age > 7 && age <= 30
        ? Optional.of(head + "Run 'traccia-proxy pricing refresh' for the latest prices.")
        : Optional.empty();
  }

  /** Whether a file exists, and its modification time and size, to notice changes cheaply. */
  private static final class FileStamp {
    final boolean exists;
    final long modified;
    final long size;

    private FileStamp(boolean exists, long modified, long size) {
      this.exists = exists;
      this.modified = modified;
      this.size = size;
    }

    static FileStamp of(Path path) {
      try {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return new FileStamp(true, a.lastModifiedTime().toMillis(), a.size());
      } catch (NoSuchFileException e) {
        return new FileStamp(false, 0, 0);
      } catch (IOException | SecurityException e) {
        // Unreadable attributes: treat like a missing file; the read will log the problem.
        return new FileStamp(true, -1, -1);
      }
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof FileStamp)) {
        return false;
      }
      FileStamp that = (FileStamp) o;
      return exists == that.exists && modified == that.modified && size == that.size;
    }

    @Override
    public int hashCode() {
      return Objects.hash(exists, modified, size);
    }
  }
}
