package io.jangada.raft.model;

import java.util.Objects;

/**
 * Describes a snapshot: the state machine state after applying every entry up to and including
 * {@code index}.
 *
 * @param index the last log index the snapshot covers, at least 1
 * @param term the term of the entry at {@code index}
 * @param membership the configuration in force at {@code index}
 */
public record SnapshotMeta(long index, long term, Membership membership) {

  public SnapshotMeta {
    if (index < 1) {
      throw new IllegalArgumentException("snapshot index must be >= 1, got " + index);
    }
    if (term < 1) {
      throw new IllegalArgumentException("snapshot term must be >= 1, got " + term);
    }
    Objects.requireNonNull(membership, "membership");
  }
}
