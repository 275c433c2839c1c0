package io.jangada.raft.core;

import io.jangada.raft.model.NodeId;
import java.util.Objects;
import java.util.Optional;

/** What became of a proposal handed to {@link RaftCore}. */
public sealed interface ProposeResult {

  /** Appended to the leader's log at {@code index} in {@code term}; not yet committed. */
  record Accepted(long index, long term) implements ProposeResult {}

  /** This node is not the leader; nothing was appended. */
  record NotLeader(Optional<NodeId> leaderHint) implements ProposeResult {
    public NotLeader {
      Objects.requireNonNull(leaderHint, "leaderHint");
    }
  }

  /**
   * The leader refused the proposal for the stated reason (a leadership transfer in progress, the
   * uncommitted backlog is full); nothing was appended. Retrying later may succeed.
   */
  record Dropped(String reason) implements ProposeResult {
    public Dropped {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
