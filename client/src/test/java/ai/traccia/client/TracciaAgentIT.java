/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** The packaged (shaded) client jar as a {@code -javaagent}, in a child JVM. */
class TracciaAgentIT {

  private static Path clientJar() {
    Path jar = Path.of(System.getProperty("traccia.client.jar"));
    assertThat(jar).exists();
    return jar;
  }

  @Test
  void javaagent_weavesWithoutSelfAttach() throws Exception {
    String output = ChildJvm.run(Collections.singletonList("-javaagent:" + clientJar()), "agent");

    assertThat(output)
        .contains("WEAVING AGENT")
        .contains("SPAN inner parent=yes span.type=span name=null x=1")
        .contains("SPAN outer parent=no span.type=span name=null x=1")
        .contains("SPAN greet parent=no span.type=tool name=late x=null")
        .doesNotContain("name=early")
        .doesNotContain("@Observe is not active");
  }

  @Test
  void selfAttach_retransformsClassesLoadedBeforeInit() throws Exception {
    String output = ChildJvm.run(Collections.emptyList(), "self");

    assertThat(output)
        .contains("WEAVING SELF_ATTACHED")
        .contains("SPAN greet parent=no span.type=tool name=late x=null")
        .contains("SPAN inner parent=yes span.type=span name=null x=1");
  }

  @Test
  void selfAttach_warnsWhenTheJvmForbidsAttach() throws Exception {
    String output = ChildJvm.run(Collections.singletonList("-XX:+DisableAttachMechanism"), "self");

    assertThat(output)
        .contains("WEAVING NONE")
        .contains("WARNING: @Observe is not active: Traccia.init() could not attach its weaver")
        .contains(
            "Start the JVM with -javaagent:<path to traccia-client.jar>, or run it on a full JDK"
                + " (with the jdk.attach module) and without -XX:+DisableAttachMechanism. Until"
                + " then @Observe methods run unchanged and record no spans; Traccia.span(...)"
                + " still works.")
        .doesNotContain("SPAN ");
  }

  @Test
  void noAgentAndSelfAttachDisabled_warns() throws Exception {
    String output = ChildJvm.run(Collections.emptyList(), "agent");

    assertThat(output)
        .contains("WEAVING NONE")
        .contains(
            "WARNING: Traccia: @Observe is not active: self-attach is disabled"
                + " (Traccia.builder().setSelfAttach(false)) and the JVM was not started with"
                + " -javaagent:<path to traccia-client.jar>.")
        .doesNotContain("SPAN ");
  }

  @Test
  void shadedJar_relocatesByteBuddyAndDeclaresTheAgent() throws Exception {
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(clientJar().toFile())) {
      java.util.jar.Attributes manifest = jar.getManifest().getMainAttributes();
      assertThat(manifest.getValue("Premain-Class")).isEqualTo(TracciaAgent.class.getName());
      assertThat(manifest.getValue("Agent-Class")).isEqualTo(TracciaAgent.class.getName());
      assertThat(manifest.getValue("Can-Retransform-Classes")).isEqualTo("true");
      assertThat(jar.getEntry("ai/traccia/client/shaded/net/bytebuddy/agent/ByteBuddyAgent.class"))
          .isNotNull();
      assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("net/bytebuddy/")))
          .isEmpty();
      assertThat(Files.size(clientJar())).isLessThan(15L * 1024 * 1024);
    }
  }
}
