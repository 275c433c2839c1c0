package io.jangada.raft.examples.kv.client;

import java.util.Optional;

/**
 * The key-value operations, over HTTP ({@link KvClient}) or over the library's client protocol
 * ({@link KvRaftClient}). Methods block until the answer or the client's deadline and fail with
 * {@link KvClientException}.
 */
public interface KvStore {

  /** Sets {@code key} to {@code value}. */
  KvClient.Written put(String key, byte[] value);

  /** Sets {@code key} only if it holds {@code expected} (or, if empty, only if it is absent). */
  KvClient.CasResult cas(String key, Optional<String> expected, byte[] value);

  /** The value of {@code key}, if present ({@code consistency}: linearizable, lease or stale). */
  Optional<byte[]> get(String key, String consistency);

  /** Deletes {@code key}; false if it was absent. */
  boolean delete(String key);
}
