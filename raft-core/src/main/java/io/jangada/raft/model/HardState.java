package io.jangada.raft.model;

import java.util.Objects;
import java.util.Optional;

/**
 * The state a node must persist before it answers anything that depends on it (Raft Fig. 2
 * "persistent state", plus the commit index so a restart can re-apply without a leader).
 *
 * @param term the latest term this node has seen; never decreases
 * @param votedFor the candidate this node voted for in {@code term}, if any
 * @param commit the highest index known committed; never decreases
 */
public record HardState(long term, Optional<NodeId> votedFor, long commit) {

  /** The state of a node that has never run. */
  public static final HardState INITIAL = new HardState(0, Optional.empty(), 0);

  public HardState {
    if (term < 0) {
      throw new IllegalArgumentException("term must be >= 0, got " + term);
    }
    Objects.requireNonNull(votedFor, "votedFor");
    if (commit < 0) {
      throw new IllegalArgumentException("commit must be >= 0, got " + commit);
    }
  }

  /** A copy with another commit index. */
  public HardState withCommit(long newCommit) {
    return new HardState(term, votedFor, newCommit);
  }
}
