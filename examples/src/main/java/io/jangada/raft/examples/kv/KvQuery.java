package io.jangada.raft.examples.kv;

import io.jangada.raft.model.Bytes;
import java.util.Objects;

/** A read-only request against the key-value store (encoded by {@link KvCodec}). Immutable. */
public sealed interface KvQuery {

  /** Reads the value of {@code key}: {@link KvResult.Value} or {@link KvResult.NotFound}. */
  record Get(Bytes key) implements KvQuery {
    public Get {
      Objects.requireNonNull(key, "key");
    }
  }
}
