/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ai.traccia.proxy.codec.OtlpJson;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Appends every request to a file as one line of OTLP JSON, the format the OpenTelemetry
 * Collector's file exporter writes: the {@code Export*ServiceRequest} in the protobuf JSON mapping
 * with hex trace and span ids (see {@link OtlpJson}). Traces, metrics and logs share the file; each
 * line holds one request of one signal.
 *
 * <p>One writer thread decodes, prints and writes, so lines never interleave and callers never wait
 * for the disk. Each request is flushed to the operating system before its future completes. A
 * failed write is a permanent failure naming the file and the operating system's error. The file is
 * opened, and its directories created, when the exporter is built; with {@code reset} it is emptied
 * then, otherwise lines are appended to what is there.
 *
 * <p>Thread-safe.
 */
public final class FileExporter extends OneThreadExporter {

  private final String name;
  private final Path path;
  private final OutputStream out; // written on the exporter's thread only

  private FileExporter(String name, Path path, OutputStream out) {
    super("traccia-" + name + "-writer");
    this.name = name;
    this.path = path;
    this.out = out;
  }

  /** Returns a builder; {@link Builder#setPath} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** The file written to. */
  public Path path() {
    return path;
  }

  // Every line was flushed already; a failing close loses nothing.
  @Override
  void finish() {
    try {
      out.close();
    } catch (IOException e) {
      // Nothing to report: see above.
    }
  }

  @Override
  public String toString() {
    return "FileExporter{" + name + ", " + path + "}";
  }

  @Override
  ExportResult write(ExportRequest request) {
    try {
      return writeLine(request);
    } catch (RuntimeException e) {
      return ExportResult.permanent("cannot write " + request + " to " + path + ": " + e);
    }
  }

  private ExportResult writeLine(ExportRequest request) {
    String line;
    try {
      line = OtlpJson.print(Requests.decode(request));
    } catch (InvalidProtocolBufferException e) {
      return ExportResult.permanent(
          "cannot write "
              + request
              + " to "
              + path
              + ": it is not valid protobuf: "
              + e.getMessage());
    }
    try {
      out.write(line.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
      out.flush();
      return ExportResult.success();
    } catch (IOException e) {
      return ExportResult.permanent(
          "cannot write to "
              + path
              + ": "
              + osError(e)
              + "; check free disk space and the file's permissions");
    }
  }

  @Override
  ExportResult afterShutdown() {
    return ExportResult.permanent(
        name + " exporter to " + path + " is shut down; the request was not written");
  }

  /** The operating system's reason, without the path that the caller's message names anyway. */
  static String osError(IOException e) {
    if (e instanceof FileSystemException) {
      String reason = ((FileSystemException) e).getReason();
      if (reason != null) {
        return reason;
      }
      if (e instanceof AccessDeniedException) {
        return "permission denied";
      }
      if (e instanceof NoSuchFileException) {
        return "no such file or directory";
      }
      if (e instanceof FileAlreadyExistsException) {
        return "a file is in the way of " + ((FileSystemException) e).getFile();
      }
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Builds a {@link FileExporter}. Not thread-safe. */
  public static final class Builder {
    private String name = "file";
    private Path path;
    private boolean reset;

    private Builder() {}

    /** The name in logs and self-metrics. Default {@code file}. */
    public Builder setName(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name: empty (expected: a short name such as traces)");
      }
      this.name = name;
      return this;
    }

    /** The file to write, such as {@code traces.jsonl}. Required. */
    public Builder setPath(Path path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Whether to empty the file when the exporter is built. Default false: append. */
    public Builder setReset(boolean reset) {
      this.reset = reset;
      return this;
    }

    /**
     * Creates the file's directories, opens it (emptying it with {@code reset}) and returns the
     * exporter.
     *
     * @throws IllegalArgumentException if the path is not set or the file cannot be opened for
     *     writing, with the operating system's reason
     */
    public FileExporter build() {
      if (path == null) {
        throw new IllegalArgumentException(
            "path: not set (expected: the file to write, such as traces.jsonl)");
      }
      Path absolute = path.toAbsolutePath();
      try {
        Path parent = absolute.getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        OutputStream out =
            Files.newOutputStream(
                absolute,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                reset ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
        return new FileExporter(name, path, new BufferedOutputStream(out, 64 * 1024));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "path: "
                + path
                + " cannot be opened for writing ("
                + osError(e)
                + "); check that its directory can be created and written to",
            e);
      }
    }
  }
}
