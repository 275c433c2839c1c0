package io.jangada.raft.examples.kv;

import io.jangada.raft.model.Bytes;
import java.util.Objects;
import java.util.Optional;

/**
 * What a command or query returned. Failures of the request itself (a failed condition, a malformed
 * command) are results, not exceptions: an exception inside {@code StateMachine.apply} would stop
 * the node. Immutable.
 */
public sealed interface KvResult {

  /** The write took effect. */
  record Ok() implements KvResult {}

  /** The key holds {@code value} (answer to a {@link KvQuery.Get}). */
  record Value(Bytes value) implements KvResult {
    public Value {
      Objects.requireNonNull(value, "value");
    }
  }

  /** The key is absent (a get or a delete of a missing key). */
  record NotFound() implements KvResult {}

  /** A compare-and-set condition failed; {@code current} is the value the key holds, if any. */
  record ConditionFailed(Optional<Bytes> current) implements KvResult {
    public ConditionFailed {
      Objects.requireNonNull(current, "current");
    }
  }

  /** The request was rejected without effect (malformed bytes, a superseded session request). */
  record Error(String message) implements KvResult {
    public Error {
      Objects.requireNonNull(message, "message");
    }
  }
}
