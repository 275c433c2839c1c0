package io.jangada.raft.testkit.lincheck.models;

import java.util.Objects;

/**
 * An operation on one key of a map. Operations on different keys are independent, so {@link
 * KvModel} checks each key separately.
 *
 * <p>Immutable values.
 *
 * @param <K> the key type; keys must have {@code equals} and {@code hashCode}
 * @param <V> the value type; values must have {@code equals}
 */
public sealed interface KvOp<K, V> {

  /** The key this operation reads or writes. */
  K key();

  /** Reads the key; returns {@link Reply.Value}, empty if absent. */
  record Get<K, V>(K key) implements KvOp<K, V> {
    /** Validates. */
    public Get {
      Objects.requireNonNull(key, "key");
    }
  }

  /** Sets the key to {@code value}; returns {@link Reply.Ack}. */
  record Put<K, V>(K key, V value) implements KvOp<K, V> {
    /** Validates. */
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Removes the key (absent or not); returns {@link Reply.Ack}. */
  record Delete<K, V>(K key) implements KvOp<K, V> {
    /** Validates. */
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Sets the key to {@code update} if its value is {@code expected} (an absent key never matches);
   * returns {@link Reply.Applied}.
   */
  record Cas<K, V>(K key, V expected, V update) implements KvOp<K, V> {
    /** Validates. */
    public Cas {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(update, "update");
    }
  }

  /** Sets the key to {@code value} only if it is absent; returns {@link Reply.Applied}. */
  record Create<K, V>(K key, V value) implements KvOp<K, V> {
    /** Validates. */
    public Create {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** A get of {@code key}. */
  static <K, V> KvOp<K, V> get(K key) {
    return new Get<>(key);
  }

  /** A put of {@code value} at {@code key}. */
  static <K, V> KvOp<K, V> put(K key, V value) {
    return new Put<>(key, value);
  }

  /** A delete of {@code key}. */
  static <K, V> KvOp<K, V> delete(K key) {
    return new Delete<>(key);
  }

  /** A compare-and-set of {@code key} from {@code expected} to {@code update}. */
  static <K, V> KvOp<K, V> cas(K key, V expected, V update) {
    return new Cas<>(key, expected, update);
  }

  /** A create of {@code key} with {@code value}, only if {@code key} is absent. */
  static <K, V> KvOp<K, V> create(K key, V value) {
    return new Create<>(key, value);
  }
}
