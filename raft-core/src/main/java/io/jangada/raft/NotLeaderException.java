package io.jangada.raft;

import io.jangada.raft.model.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * This node is not the leader, so it did not accept the request; nothing was appended, so a retry
 * against {@link #leaderHint()} is always safe.
 */
public final class NotLeaderException extends RaftException {

  private final transient Optional<NodeId> leaderHint;

  public NotLeaderException(NodeId self, Optional<NodeId> leaderHint) {
    super(
        "node "
            + self
            + " is not the leader"
            + leaderHint.map(l -> "; the leader is " + l).orElse("; no leader is known"));
    this.leaderHint = Objects.requireNonNull(leaderHint, "leaderHint");
  }

  /** The leader this node knows of, if any. */
  public Optional<NodeId> leaderHint() {
    return leaderHint;
  }
}
