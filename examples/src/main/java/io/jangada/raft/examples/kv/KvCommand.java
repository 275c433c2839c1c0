package io.jangada.raft.examples.kv;

import io.jangada.raft.model.Bytes;
import java.util.Objects;
import java.util.Optional;

/**
 * A write to the key-value store: the payload of one Raft log entry (encoded by {@link KvCodec}).
 * Immutable.
 */
public sealed interface KvCommand {

  /** The key this command writes. */
  Bytes key();

  /** Sets {@code key} to {@code value}, whatever it held before. */
  record Put(Bytes key, Bytes value) implements KvCommand {
    public Put {
      KvCommand.requireKey(key);
      Objects.requireNonNull(value, "value");
    }
  }

  /** Removes {@code key}; the result is {@link KvResult.NotFound} if it was absent. */
  record Delete(Bytes key) implements KvCommand {
    public Delete {
      KvCommand.requireKey(key);
    }
  }

  /**
   * Compare-and-set: sets {@code key} to {@code value} only if its current value equals {@code
   * expected}; with {@code expected} empty, only if the key is absent (create-only). Otherwise the
   * result is {@link KvResult.ConditionFailed} and nothing changes.
   */
  record Cas(Bytes key, Optional<Bytes> expected, Bytes value) implements KvCommand {
    public Cas {
      KvCommand.requireKey(key);
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(value, "value");
    }
  }

  private static void requireKey(Bytes key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
  }
}
