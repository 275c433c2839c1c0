package io.jangada.raft.testkit.lincheck.models;

import java.util.Objects;
import java.util.Optional;

/**
 * The output of a register or map operation: a {@link Value} for reads, an {@link Ack} for blind
 * writes and deletes, {@link Applied} for conditional writes (compare-and-set, create).
 *
 * <p>Immutable values.
 *
 * @param <V> the value type
 */
public sealed interface Reply<V> {

  /** The value a read returned; empty if the register or key was absent. */
  record Value<V>(Optional<V> value) implements Reply<V> {
    /** Validates. */
    public Value {
      Objects.requireNonNull(value, "value");
    }
  }

  /** A blind write or delete completed. */
  record Ack<V>() implements Reply<V> {}

  /** Whether a conditional write took effect. */
  record Applied<V>(boolean applied) implements Reply<V> {}

  /** A read that returned {@code value}. */
  static <V> Reply<V> value(V value) {
    return new Value<>(Optional.of(value));
  }

  /** A read that found nothing. */
  static <V> Reply<V> absent() {
    return new Value<>(Optional.empty());
  }

  /** A read that returned {@code value}, possibly absent. */
  static <V> Reply<V> read(Optional<V> value) {
    return new Value<>(value);
  }

  /** A completed blind write or delete. */
  static <V> Reply<V> ack() {
    return new Ack<>();
  }

  /** A conditional write that took effect ({@code true}) or did not ({@code false}). */
  static <V> Reply<V> applied(boolean applied) {
    return new Applied<>(applied);
  }
}
