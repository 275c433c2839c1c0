package io.jangada.raft.internal;

import io.jangada.raft.LeadershipTransferException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.model.NodeId;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's side of a leadership transfer (thesis §3.10): at most one transfer is pending; it
 * completes when the target is seen leading, and fails when another node takes over, when the core
 * gives up (it accepts proposals again after an election timeout), or after {@code 2 x} the
 * election timeout. The core runs the protocol itself ({@code RaftCore.transferLeadership}).
 *
 * <p>Thread: loop lane only.
 */
final class LeadershipTransfers {

  // Logs as the node's loop, where closing is logged: operators filter on its name.
  private static final Logger log = LoggerFactory.getLogger(NodeLoop.class);

  private record Pending(NodeId target, CompletableFuture<Void> future, long deadlineTick) {}

  private final NodeId id;
  private final int electionTicks;
  private Pending pending;

  LeadershipTransfers(NodeId id, int electionTicks) {
    this.id = id;
    this.electionTicks = electionTicks;
  }

  /**
   * Starts a transfer to {@code target} at {@code tick}, superseding (and failing) a pending one;
   * completes {@code future} at once if there is nothing to do or the request is invalid.
   */
  void start(RaftCore core, NodeId target, CompletableFuture<Void> future, long tick) {
    RaftStatus now = core.status();
    if (now.role() != Role.LEADER) {
      future.completeExceptionally(new NotLeaderException(id, now.leader()));
      return;
    }
    if (target.equals(id)) {
      future.complete(null);
      return;
    }
    if (!now.membership().isVoter(target)) {
      future.completeExceptionally(
          new LeadershipTransferException(target + " is not a voter of this cluster"));
      return;
    }
    if (pending != null) {
      pending
          .future()
          .completeExceptionally(
              new LeadershipTransferException("superseded by a transfer to " + target));
    }
    pending = new Pending(target, future, tick + 2L * electionTicks);
    core.transferLeadership(target);
  }

  /** Completes or fails the pending transfer once {@code next} shows who leads. */
  void statusChanged(RaftStatus next) {
    if (pending == null) {
      return;
    }
    if (next.leader().equals(Optional.of(pending.target()))) {
      pending.future().complete(null);
      pending = null;
    } else if (next.role() != Role.LEADER && !next.leader().isEmpty()) {
      pending
          .future()
          .completeExceptionally(
              new LeadershipTransferException(
                  "leadership moved to "
                      + next.leader().get()
                      + " instead of "
                      + pending.target()));
      pending = null;
    }
  }

  /** Fails the pending transfer if the core gave it up or its deadline passed at {@code tick}. */
  void expire(RaftCore core, long tick) {
    if (pending == null) {
      return;
    }
    // The core gives up after an election timeout and accepts proposals again; so does the caller.
    boolean aborted = core.statusShape().role() == Role.LEADER && core.transferee().isEmpty();
    if (aborted || tick >= pending.deadlineTick()) {
      pending
          .future()
          .completeExceptionally(
              new LeadershipTransferException(
                  pending.target() + " did not take over leadership within the election timeout"));
      pending = null;
    }
  }

  /** Fails the pending transfer, if any, with (a fresh) {@code failure}. */
  void fail(Supplier<RaftException> failure) {
    if (pending != null) {
      pending.future().completeExceptionally(failure.get());
      pending = null;
    }
  }

  /**
   * Before the node closes: if it leads, starts a transfer to the {@link #handoverTarget} at {@code
   * tick}, which completes {@code done} when another node leads (or fails it); otherwise, or if
   * there is no target, completes {@code done} at once. Returns whether a transfer started.
   */
  boolean handOver(RaftCore core, CompletableFuture<Void> done, long tick) {
    if (core.status().role() != Role.LEADER) {
      done.complete(null);
      return false;
    }
    Optional<NodeId> target = handoverTarget(core.status());
    if (target.isEmpty()) {
      log.info("node {} closes as leader: no active voter to hand leadership to", id);
      done.complete(null);
      return false;
    }
    log.info("node {} hands leadership to {} before closing", id, target.get());
    start(core, target.get(), done, tick);
    return true;
  }

  /**
   * The voter a leader closing down hands leadership to: the recently active one with the highest
   * match index (the lowest id on a tie), if any.
   */
  static Optional<NodeId> handoverTarget(RaftStatus leader) {
    return leader.peers().entrySet().stream()
        .filter(e -> leader.membership().isVoter(e.getKey()) && e.getValue().recentlyActive())
        .max(
            Comparator.<Map.Entry<NodeId, RaftStatus.PeerStatus>>comparingLong(
                    e -> e.getValue().matchIndex())
                .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey);
  }
}
