/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import java.util.Objects;

/** One message of a prompt or a completion, as recorded on a span. Immutable. */
public final class ChatMessage {
  private final String role;
  private final String content;
  private final String name;

  /**
   * A message.
   *
   * @param role the role ({@code system}, {@code user}, ...), or {@code ""} when not recorded
   * @param content the text of the message, or {@code ""}
   * @param name the participant name, or {@code null}
   */
  public ChatMessage(String role, String content, String name) {
    this.role = Objects.requireNonNull(role, "role");
    this.content = Objects.requireNonNull(content, "content");
    this.name = name;
  }

  /** The role, or {@code ""} when the span did not record one. */
  public String role() {
    return role;
  }

  /** The text, or {@code ""}. */
  public String content() {
    return content;
  }

  /** The participant name, or {@code null}. */
  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ChatMessage)) {
      return false;
    }
    ChatMessage other = (ChatMessage) o;
    return role.equals(other.role)
        && content.equals(other.content)
        && Objects.equals(name, other.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, content, name);
  }

  @Override
  public String toString() {
    return role + (name == null ? "" : "(" + name + ")") + ": " + content;
  }
}
