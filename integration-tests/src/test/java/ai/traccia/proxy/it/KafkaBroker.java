/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker in KRaft mode (one JVM that is broker and controller), run as a child process
 * on 127.0.0.1 with free ports and a fresh log directory, for the Kafka integration tests. No
 * Docker: the broker's classes come from Maven Central.
 *
 * <p>Its classpath is {@code integration-tests/kafka-broker/pom.xml} resolved by the Maven wrapper
 * ({@code dependency:build-classpath}) at the version of the kafka-clients on the test classpath,
 * which the parent pom sets, so broker and clients always match; the result is kept in {@code
 * target/kafka-broker-<version>.classpath}. {@link #start} formats the storage ({@code
 * kafka.tools.StorageTool format}, what {@code kafka-storage.sh format} runs), then starts {@code
 * kafka.Kafka} and waits for the broker to answer an admin request. Output goes to {@code
 * broker.log} in the broker's directory under {@code target/kafka}, kept after the test.
 *
 * <p>Test classes carry {@code @ExtendWith(KafkaBroker.IfAvailable.class)}: without the classpath
 * (no network to Maven Central on a first run) they are skipped with the reason, and fail under
 * {@code CI=true}. Not thread-safe; one test class owns a broker.
 */
final class KafkaBroker implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path directory;
  private final int port;
  private final int controllerPort;
  private final String classpath;
  private Process process;

  private KafkaBroker(String classpath) {
    this.classpath = classpath;
    this.directory = LocalProcesses.workDirectory("kafka", "broker-", "the Kafka broker");
    int[] ports = LocalProcesses.freePorts(2);
    this.port = ports[0];
    this.controllerPort = ports[1];
  }

  /** Formats and starts a broker; returns once it answers. */
  static KafkaBroker start() {
    KafkaBroker broker = new KafkaBroker(classpath());
    broker.format();
    broker.launch();
    return broker;
  }

  /** The bootstrap address, {@code 127.0.0.1:<port>}. */
  String bootstrap() {
    return LocalProcesses.LOOPBACK + ":" + port;
  }

  /** Creates {@code topic} with {@code partitions} partitions, unless it exists. */
  void createTopic(String topic, int partitions) throws InterruptedException {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + topic, e.getCause());
      }
    }
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    return Admin.create(p);
  }

  private Path properties() {
    return directory.resolve("server.properties");
  }

  private void format() {
    String config =
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            "log.dirs=" + directory.resolve("data"),
            "num.partitions=3",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=3",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "");
    try {
      Files.writeString(properties(), config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int exit =
        run(
            List.of(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                properties().toString()),
            directory.resolve("format.log"));
    if (exit != 0) {
      throw new IllegalStateException(
          "kafka-storage format exited with "
              + exit
              + ":\n"
              + read(directory.resolve("format.log")));
    }
  }

  private int run(List<String> mainAndArgs, Path log) {
    try {
      Process p = java(mainAndArgs, log, "-Xmx128m");
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private Process java(List<String> mainAndArgs, Path log, String heap) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(heap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.addAll(mainAndArgs);
    try {
      return new ProcessBuilder(cmd)
          .directory(directory.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() {
    process = java(List.of("kafka.Kafka", properties().toString()), log(), "-Xmx384m");
    try {
      await()
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "the Kafka broker exited with " + process.exitValue() + ":\n" + read(log()));
                }
                return answers();
              });
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException("the Kafka broker did not start:\n" + read(log()), e);
    }
  }

  private boolean answers() {
    if (!LocalProcesses.accepts(port)) {
      return false;
    }
    try (Admin admin = admin()) {
      admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  Path log() {
    return directory.resolve("broker.log");
  }

  /** The sum of {@code group}'s committed offsets on {@code topic}'s partitions. */
  long committed(String group, String topic) throws Exception {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      long sum = 0;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
        if (e.getKey().topic().equals(topic) && e.getValue() != null) {
          sum += e.getValue().offset();
        }
      }
      return sum;
    }
  }

  /** How many records {@code topic}'s {@code partitions} partitions hold: their end offsets. */
  long records(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try (Admin admin = admin()) {
      long sum = 0;
      for (ListOffsetsResult.ListOffsetsResultInfo info :
          admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values()) {
        sum += info.offset();
      }
      return sum;
    }
  }

  /**
   * The partitions each member of {@code group} is assigned, by member id, once the group is
   * stable; empty while it is rebalancing (or has no members).
   */
  Map<String, Set<TopicPartition>> assignment(String group) throws Exception {
    Map<String, Set<TopicPartition>> out = new TreeMap<>();
    try (Admin admin = admin()) {
      ConsumerGroupDescription d;
      try {
        d = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          return out; // no member has joined yet
        }
        throw e;
      }
      if (d.groupState() != GroupState.STABLE) {
        return out;
      }
      for (MemberDescription m : d.members()) {
        out.put(m.consumerId(), m.assignment().topicPartitions());
      }
      return out;
    }
  }

  /** Kills the broker (as a crash would); {@link #restart} starts it again on its data. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  void restart() {
    launch();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      LocalProcesses.terminate(process);
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(could not read " + file + ")";
    }
  }

  // --- The broker's classpath -------------------------------------------------------------------

  private static String cachedClasspath;
  private static String unavailable;

  /** The broker's classpath, resolved once per JVM; throws with the reason when it cannot be. */
  static synchronized String classpath() {
    if (cachedClasspath != null) {
      return cachedClasspath;
    }
    if (unavailable != null) {
      throw new IllegalStateException(unavailable);
    }
    String version = AppInfoParser.getVersion();
    Path module = Path.of(System.getProperty("user.dir"));
    Path pom = module.resolve("kafka-broker").resolve("pom.xml");
    Path mvnw = module.getParent() == null ? null : module.getParent().resolve("mvnw");
    Path out = module.resolve("target").resolve("kafka-broker-" + version + ".classpath");
    try {
      if (!Files.isRegularFile(out)) {
        if (!Files.isRegularFile(pom) || mvnw == null || !Files.isRegularFile(mvnw)) {
          throw new IOException("no " + pom + " or Maven wrapper beside it");
        }
        Files.createDirectories(out.getParent());
        Path log = out.resolveSibling("kafka-broker-classpath.log");
        Process p =
            new ProcessBuilder(
                    mvnw.toString(),
                    "-B",
                    "-q",
                    "-f",
                    pom.toString(),
                    "dependency:build-classpath",
                    "-Dkafka.version=" + version,
                    "-Dmdep.outputFile=" + out)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
          p.destroyForcibly();
          Files.deleteIfExists(out);
          throw new IOException("resolving the broker's classpath failed:\n" + read(log));
        }
      }
      cachedClasspath = Files.readString(out, StandardCharsets.UTF_8).trim();
      return cachedClasspath;
    } catch (IOException | RuntimeException e) {
      unavailable =
          "no Kafka broker "
              + version
              + " classpath ("
              + e.getMessage()
              + "); it is resolved from Maven Central with ./mvnw -f "
              + pom
              + " dependency:build-classpath";
      throw new IllegalStateException(unavailable, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while resolving the broker's classpath", e);
    }
  }

  /** Runs the test class only where the broker's classpath can be had; fails under CI=true. */
  static final class IfAvailable implements ExecutionCondition {

    /** Created by JUnit. */
    public IfAvailable() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      try {
        return ConditionEvaluationResult.enabled("Kafka broker classpath: " + classpath().length());
      } catch (IllegalStateException e) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          throw e;
        }
        return ConditionEvaluationResult.disabled(e.getMessage());
      }
    }
  }
}
