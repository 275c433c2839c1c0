package io.jangada.raft.internal;

import io.jangada.raft.CommittedMembership;
import io.jangada.raft.ConcurrentMembershipChangeException;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.LearnerNotCaughtUpException;
import io.jangada.raft.MembershipChangeException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.core.MembershipChange;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of membership changes: proposes them to the core, completes the callers'
 * futures once the final configuration commits, and tells the transport and the listener whenever
 * the configuration in force changes (thesis §4.1: when it is appended, before any message of the
 * same {@code Ready} is sent, so a new member's address is known before the first message to it).
 *
 * <p>Thread: confined to the node's loop lane.
 */
final class MembershipChanges {

  private static final Logger log = LoggerFactory.getLogger(MembershipChanges.class);

  private record Pending(long index, CompletableFuture<CommittedMembership> future) {}

  private final NodeId id;
  private final Transport transport;
  private final NodeEvents events;
  private final List<Pending> pending = new ArrayList<>();
  private Membership announced;
  private long announcedIndex = -1;

  MembershipChanges(NodeId id, Transport transport, NodeEvents events) {
    this.id = id;
    this.transport = transport;
    this.events = events;
  }

  /**
   * Proposes {@code edit} applied to the configuration in force (atomically: on the loop, against
   * the core's current configuration); {@code edit} may throw a {@link MembershipChangeException}
   * (or an {@link IllegalArgumentException}, reported as INVALID) to refuse. Loop lane.
   */
  void proposeEdit(
      RaftCore core,
      Function<Membership, Membership> edit,
      CompletableFuture<CommittedMembership> future) {
    RaftStatus now = core.status();
    if (!now.isLeader()) {
      future.completeExceptionally(new NotLeaderException(id, now.leader()));
      return;
    }
    Membership target;
    try {
      target = edit.apply(now.membership());
    } catch (MembershipChangeException | IllegalArgumentException e) {
      future.completeExceptionally(
          e instanceof MembershipChangeException
              ? e
              : new MembershipChangeException(
                  MembershipChangeException.Reason.INVALID, e.getMessage()));
      return;
    }
    propose(core, target, now.membershipIndex(), future);
  }

  /**
   * Proposes {@code target} (compare-and-set on {@code expectedIndex}, or {@link
   * RaftCore#ANY_CONFIGURATION}) and registers {@code future}, or fails it at once with the core's
   * refusal as a typed exception (a learner that has not caught up: {@link
   * LearnerNotCaughtUpException}; the catch-up guard lives in the core, so that core users get it
   * too).
   */
  void propose(
      RaftCore core,
      Membership target,
      long expectedIndex,
      CompletableFuture<CommittedMembership> future) {
    MembershipChange result = core.proposeMembership(target, expectedIndex);
    if (result instanceof MembershipChange.Accepted accepted) {
      log.info(
          "node {}: proposed configuration {} at index {} (target {})",
          id,
          accepted.configuration(),
          accepted.index(),
          accepted.target());
      pending.add(new Pending(accepted.index(), future));
    } else if (result instanceof MembershipChange.NotLeader notLeader) {
      future.completeExceptionally(new NotLeaderException(id, notLeader.leaderHint()));
    } else if (result instanceof MembershipChange.Refused refused) {
      future.completeExceptionally(refusal(refused));
    } else {
      throw new AssertionError(result);
    }
  }

  private static MembershipChangeException refusal(MembershipChange.Refused refused) {
    return switch (refused.reason()) {
      case CHANGE_IN_PROGRESS ->
          new ConcurrentMembershipChangeException(
              MembershipChangeException.Reason.CHANGE_IN_PROGRESS, refused.message());
      case STALE_CONFIGURATION ->
          new ConcurrentMembershipChangeException(
              MembershipChangeException.Reason.STALE_CONFIGURATION, refused.message());
      case NOT_CAUGHT_UP -> new LearnerNotCaughtUpException(refused.message());
      case LEADER_NOT_READY ->
          new MembershipChangeException(
              MembershipChangeException.Reason.LEADER_NOT_READY, refused.message());
      case INVALID ->
          new MembershipChangeException(
              MembershipChangeException.Reason.INVALID, refused.message());
    };
  }

  /**
   * The configuration in force is {@code membership} from entry {@code index}: tells the transport
   * and the listener if it changed. Call before sending the messages of the Ready that reports it.
   *
   * @return whether it changed (and the transport was told)
   */
  boolean announce(Membership membership, long index) {
    if (index == announcedIndex && membership.equals(announced)) {
      return false;
    }
    announceChanged(membership, index);
    return true;
  }

  // Out of line: announce runs for every Ready, a change is rare.
  private void announceChanged(Membership membership, long index) {
    announced = membership;
    announcedIndex = index;
    log.info("node {}: configuration in force {} (index {})", id, membership.describe(), index);
    try {
      transport.membershipChanged(membership);
    } catch (RuntimeException e) {
      log.warn("node {}: Transport.membershipChanged threw; ignored", id, e);
    }
    events.membershipChanged(membership, index);
  }

  /**
   * Completes the changes whose final configuration is committed at {@code commitIndex} in the
   * status shaped {@code status}; fails the rest as indeterminate if this node is no longer the
   * leader. Call with every published status, before anything else reacts to a lost leadership (a
   * leader that removed itself steps down in the very step its change commits).
   */
  void update(RaftStatus status, long commitIndex) {
    if (pending.isEmpty()) {
      return;
    }
    boolean committed = commitIndex >= status.membershipIndex() && !status.membership().isJoint();
    CommittedMembership done =
        new CommittedMembership(status.membership(), status.membershipIndex());
    pending.removeIf(
        p -> {
          if (committed && status.membershipIndex() >= p.index()) {
            p.future().complete(done);
            return true;
          }
          if (!status.isLeader()) {
            p.future()
                .completeExceptionally(
                    new IndeterminateResultException(
                        "node "
                            + id
                            + " lost leadership before the configuration change at index "
                            + p.index()
                            + " completed; it may or may not take effect (read the"
                            + " configuration again)"));
            return true;
          }
          return false;
        });
  }

  /** Fails every pending change (the node stops). */
  void failAll(Supplier<RaftException> failure) {
    for (Pending p : pending) {
      p.future().completeExceptionally(failure.get());
    }
    pending.clear();
  }
}
