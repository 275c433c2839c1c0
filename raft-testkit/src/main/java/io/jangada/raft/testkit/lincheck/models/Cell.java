package io.jangada.raft.testkit.lincheck.models;

import java.util.List;
import java.util.Optional;

/**
 * The sequential semantics of one cell (a register, or one key of a map) holding a value or
 * nothing, shared by {@link RegisterModel} and {@link KvModel}. Stateless.
 */
final class Cell {
  private Cell() {}

  static <V> Optional<Optional<V>> read(Optional<V> state, Object input, Reply<V> reply) {
    if (!(reply instanceof Reply.Value<V> value)) {
      throw mismatch(input, reply, "a Reply.Value");
    }
    return value.value().equals(state) ? Optional.of(state) : Optional.empty();
  }

  static <V> Optional<Optional<V>> set(Optional<V> after, Object input, Reply<V> reply) {
    if (!(reply instanceof Reply.Ack<V>)) {
      throw mismatch(input, reply, "a Reply.Ack");
    }
    return Optional.of(after);
  }

  /** A conditional write: takes effect (to {@code after}) iff {@code matches}. */
  static <V> Optional<Optional<V>> conditional(
      Optional<V> state, boolean matches, Optional<V> after, Object input, Reply<V> reply) {
    if (!(reply instanceof Reply.Applied<V> applied)) {
      throw mismatch(input, reply, "a Reply.Applied");
    }
    if (applied.applied() != matches) {
      return Optional.empty();
    }
    return Optional.of(matches ? after : state);
  }

  static <V> List<Optional<V>> conditionalUnobserved(
      Optional<V> state, boolean matches, Optional<V> after) {
    return List.of(matches ? after : state);
  }

  static boolean holds(Optional<?> state, Object expected) {
    return state.isPresent() && state.get().equals(expected);
  }

  private static IllegalArgumentException mismatch(Object input, Object reply, String expected) {
    return new IllegalArgumentException(input + " returns " + expected + ", not " + reply);
  }
}
