package io.jangada.raft.internal;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Map;
import java.util.Optional;

/**
 * Holds the newest {@link RaftStatus} for readers on any thread, and tells the {@link NodeEvents}
 * what changed. {@link #publish} runs on the loop only.
 */
final class StatusPublisher {

  private final NodeEvents events;
  private volatile RaftStatus latest;

  StatusPublisher(NodeId id, Membership membership, NodeEvents events) {
    this.events = events;
    this.latest =
        new RaftStatus(
            id, Role.FOLLOWER, 0, Optional.empty(), 0, 0, 1, 0, 0, membership, 0, Map.of());
  }

  RaftStatus latest() {
    return latest;
  }

  RaftStatus publish(RaftStatus next) {
    RaftStatus previous = latest;
    latest = next;
    events.statusChanged(previous, next);
    return next;
  }
}
