package io.jangada.raft.internal;

import io.jangada.raft.RaftException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.core.StatusIndexes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Holds the newest status for readers on any thread, and tells the {@link NodeEvents} what changed.
 * It keeps the status as the core's {@link RaftCore#statusShape() shape} (rebuilt only when the
 * role, term, leader, configuration or a follower's replication state changes) plus the current
 * {@link StatusIndexes}, published together: a loop round that only moves indexes (the commit
 * index, under load, moves in almost every one) builds no status. {@link #refresh} and {@link
 * #publish} run on the loop only; {@link #current} on any thread.
 */
final class StatusPublisher {

  /** A shape and its current indexes; the array is never written once published. */
  private record Published(RaftStatus shape, long[] indexes) {}

  private final NodeEvents events;
  private volatile Published latest;
  // Loop lane: the indexes the core wrote last, compared with the core's in the next round.
  private long[] scratch;

  StatusPublisher(NodeId id, Membership membership, NodeEvents events) {
    this.events = events;
    RaftStatus initial =
        new RaftStatus(
            id, Role.FOLLOWER, 0, Optional.empty(), 0, 0, 1, 0, 0, membership, 0, Map.of());
    this.latest = new Published(initial, StatusIndexes.of(initial));
  }

  /**
   * The node's status as {@code RaftNode.status()} reports it: the newest published one with the
   * applied index and the newest snapshot index ({@code snapshotIndex}, the loop's, or the
   * applier's: a snapshot's future completes on the apply lane before the loop lane takes note of
   * it, and a caller reads the status next), the node's state, what stopped it and its problems.
   * Any thread; {@code applier} is null before the node opened its storage.
   */
  RaftStatus current(
      RaftStatus.State state,
      RaftException fatal,
      Applier applier,
      long snapshotIndex,
      NodeProblems problems) {
    RaftStatus latest = current();
    return view(
        latest,
        applier == null ? latest.appliedIndex() : applier.appliedIndex(),
        Math.max(
            Math.max(snapshotIndex, latest.snapshotIndex()),
            applier == null ? 0 : applier.snapshotIndex()),
        state,
        state == RaftStatus.State.FAILED && fatal != null
            ? Optional.of(NodeErrors.describe(fatal))
            : Optional.empty(),
        state == RaftStatus.State.RUNNING ? problems.current() : List.of());
  }

  /**
   * {@code latest} as this node's status, with the driver's applied and snapshot indexes, its
   * state, failure and problems. A node that does not run reports itself a follower without leader
   * or peers.
   */
  static RaftStatus view(
      RaftStatus latest,
      long applied,
      long snapshotIndex,
      RaftStatus.State state,
      Optional<String> failure,
      List<String> problems) {
    boolean serving = state == RaftStatus.State.RUNNING;
    return new RaftStatus(
        latest.id(),
        serving ? latest.role() : Role.FOLLOWER,
        latest.term(),
        serving ? latest.leader() : Optional.empty(),
        latest.commitIndex(),
        applied,
        latest.firstIndex(),
        latest.lastIndex(),
        snapshotIndex,
        latest.membership(),
        latest.membershipIndex(),
        serving ? latest.peers() : Map.of(),
        state,
        failure,
        problems);
  }

  /**
   * The newest shape: its role, term, leader, configuration and followers' replication states and
   * activity are current, its indexes may not be (read {@link #commitIndex} or {@link #current}).
   * Loop lane (any thread may read it, racily).
   */
  RaftStatus shape() {
    return latest.shape();
  }

  /** The newest published commit index. Any thread. */
  long commitIndex() {
    return latest.indexes()[StatusIndexes.COMMIT];
  }

  /** The newest status, with current indexes. Any thread; builds it. */
  RaftStatus current() {
    Published p = latest;
    return StatusIndexes.apply(p.shape(), p.indexes());
  }

  /**
   * Reads the core's status and publishes it if its shape or an index changed, reporting the change
   * to the events. Loop lane. Allocates only when something changed, and builds a status only when
   * the shape did.
   */
  void refresh(RaftCore core) {
    Published previous = latest;
    RaftStatus shape = core.statusShape();
    long[] into = scratch;
    boolean fresh = into == null || !StatusIndexes.fits(into, shape);
    if (fresh) {
      into = StatusIndexes.forShape(shape);
    }
    boolean changed = core.statusIndexes(into) || fresh;
    scratch = into;
    if (!changed && shape == previous.shape()) {
      return;
    }
    latest = new Published(shape, into.clone());
    long commit = into[StatusIndexes.COMMIT];
    events.statusChanged(previous.shape(), shape, previous.indexes()[StatusIndexes.COMMIT], commit);
  }

  /** Publishes {@code next} (a full status, e.g. a failed node's) and reports it. Loop lane. */
  void publish(RaftStatus next) {
    Published previous = latest;
    latest = new Published(next, StatusIndexes.of(next));
    scratch = null;
    events.statusChanged(
        previous.shape(), next, previous.indexes()[StatusIndexes.COMMIT], next.commitIndex());
  }
}
