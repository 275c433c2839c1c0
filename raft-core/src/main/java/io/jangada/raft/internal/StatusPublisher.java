package io.jangada.raft.internal;

import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the newest {@link RaftStatus} for readers on any thread, and tells the {@link RaftListener}
 * what changed. {@link #publish} runs on the loop only.
 */
final class StatusPublisher {

  private static final Logger log = LoggerFactory.getLogger(StatusPublisher.class);

  private final NodeId id;
  private final RaftListener listener;
  private volatile RaftStatus latest;

  StatusPublisher(NodeId id, Membership membership, RaftListener listener) {
    this.id = id;
    this.listener = listener;
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
    if (previous.role() != next.role()) {
      notify(() -> listener.onRoleChange(id, next.role(), next.term()));
    }
    if (!previous.leader().equals(next.leader())) {
      notify(() -> listener.onLeaderChange(id, next.leader(), next.term()));
    }
    if (next.commitIndex() > previous.commitIndex()) {
      notify(() -> listener.onCommit(id, next.commitIndex()));
    }
    return next;
  }

  private void notify(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException e) {
      log.warn("listener of node {} threw; ignored", id, e);
    }
  }
}
