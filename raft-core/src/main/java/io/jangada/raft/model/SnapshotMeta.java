package io.jangada.raft.model;

import java.util.Objects;

/**
 * Describes a snapshot: the state machine state after applying every entry up to and including
 * {@code index}.
 *
 * @param index the last log index the snapshot covers, at least 1
 * @param term the term of the entry at {@code index}
 * @param membership the configuration in force at {@code index}
 * @param membershipIndex the index of the configuration entry {@code membership} comes from, at
 *     most {@code index}; 0 if it is the configuration the cluster was started with
 */
public record SnapshotMeta(long index, long term, Membership membership, long membershipIndex) {

  /**
   * @throws IllegalArgumentException if an index or the term is out of range
   */
  public SnapshotMeta {
    if (index < 1) {
      throw new IllegalArgumentException("snapshot index must be >= 1, got " + index);
    }
    if (term < 1) {
      throw new IllegalArgumentException("snapshot term must be >= 1, got " + term);
    }
    Objects.requireNonNull(membership, "membership");
    if (membershipIndex < 0 || membershipIndex > index) {
      throw new IllegalArgumentException(
          "snapshot membership index must be in [0, " + index + "], got " + membershipIndex);
    }
  }

  /** A snapshot whose configuration is the one the cluster was started with (index 0). */
  public SnapshotMeta(long index, long term, Membership membership) {
    this(index, term, membership, 0);
  }
}
