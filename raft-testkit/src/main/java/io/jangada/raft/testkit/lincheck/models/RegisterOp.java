package io.jangada.raft.testkit.lincheck.models;

import java.util.Objects;

/**
 * An operation on a single register that holds one value or nothing.
 *
 * <p>Immutable values.
 *
 * @param <V> the value type; values must have {@code equals}
 */
public sealed interface RegisterOp<V> {

  /** Reads the value; returns {@link Reply.Value}. */
  record Read<V>() implements RegisterOp<V> {}

  /** Sets the value; returns {@link Reply.Ack}. */
  record Write<V>(V value) implements RegisterOp<V> {
    /** Validates. */
    public Write {
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * Sets the value to {@code update} if it is {@code expected}; returns {@link Reply.Applied}
   * saying whether it did.
   */
  record Cas<V>(V expected, V update) implements RegisterOp<V> {
    /** Validates. */
    public Cas {
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(update, "update");
    }
  }

  /** A read. */
  static <V> RegisterOp<V> read() {
    return new Read<>();
  }

  /** A write of {@code value}. */
  static <V> RegisterOp<V> write(V value) {
    return new Write<>(value);
  }

  /** A compare-and-set from {@code expected} to {@code update}. */
  static <V> RegisterOp<V> cas(V expected, V update) {
    return new Cas<>(expected, update);
  }
}
