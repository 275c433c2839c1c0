package io.jangada.raft.model;

import java.util.Objects;

/**
 * The stable identity of a Raft node, independent of its network address (addresses change, ids
 * must not). Ordered by {@link String#compareTo}, so maps keyed by {@code NodeId} iterate in a
 * stable order.
 *
 * <p>Immutable and thread-safe.
 */
public record NodeId(String value) implements Comparable<NodeId> {

  /** Upper bound on the id length, so an id always fits in a log line and a wire header. */
  public static final int MAX_LENGTH = 128;

  /**
   * @throws IllegalArgumentException if {@code value} is blank, longer than {@link #MAX_LENGTH} or
   *     contains whitespace or control characters
   */
  public NodeId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "node id longer than " + MAX_LENGTH + " characters: " + value.substring(0, 32) + "…");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "node id must not contain whitespace or control characters: '" + value + "'");
      }
    }
  }

  /** Shorthand for {@code new NodeId(value)}. */
  public static NodeId of(String value) {
    return new NodeId(value);
  }

  @Override
  public int compareTo(NodeId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
