package io.jangada.raft.internal;

import io.jangada.raft.NodeClosedException;
import io.jangada.raft.RaftException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.RaftStatus.State;
import io.jangada.raft.model.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How a node ends what is pending when it stops for good, and what it answers from then on. A node
 * that fails (its start, its storage or its state machine) keeps the error that stopped it, and
 * every later request gets a fresh copy of it (its own stack); a closed node answers that it is
 * closed. Stopping fails every pending request: proposals never handed to the log writer (only in
 * this node's memory, so they cannot take effect) with one error, the other proposals, forwarded
 * session proposals and membership changes with an indeterminate outcome, and leader waiters, reads
 * and leadership transfers with the plain error. The {@link #stopped} future then completes:
 * normally on close, exceptionally on a failure.
 *
 * <p>The node's {@link State} stays in {@link NodeLoop}, which reads it on every input and changes
 * it before it calls a transition here. Thread: transitions on the loop lane; {@link #stopped},
 * {@link #fatal}, {@link #error} and {@link #failure} on any thread.
 */
final class NodeStop {

  private final NodeId id;
  private final StatusPublisher status;
  private final NodeEvents events;
  private final ProposalTracker proposals;
  private final MembershipChanges membershipChanges;
  private final SessionWaiters forwarded;
  private final LeaderWaiters leaderWaiters;
  private final PendingReads reads;
  private final LeadershipTransfers transfers;
  // Completes when the node stops for good: normally on close, exceptionally on a failure.
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  // What stopped a FAILED node: the error every request then gets (a copy of it). Loop lane writes.
  private volatile RaftException fatal;

  NodeStop(
      NodeId id,
      StatusPublisher status,
      NodeEvents events,
      ProposalTracker proposals,
      MembershipChanges membershipChanges,
      SessionWaiters forwarded,
      LeaderWaiters leaderWaiters,
      PendingReads reads,
      LeadershipTransfers transfers) {
    this.id = id;
    this.status = status;
    this.events = events;
    this.proposals = proposals;
    this.membershipChanges = membershipChanges;
    this.forwarded = forwarded;
    this.leaderWaiters = leaderWaiters;
    this.reads = reads;
    this.transfers = transfers;
  }

  /** Completes when the node stops for good; see {@code RaftNode.stopped}. Any thread. */
  CompletableFuture<Void> stopped() {
    return stopped;
  }

  /** The error that stopped a FAILED node, else null. Any thread. */
  RaftException fatal() {
    return fatal;
  }

  /** A fresh copy of the error that stopped this node (each caller gets its own stack). */
  RaftException error() {
    return NodeErrors.copyOf(fatal, id);
  }

  /** Why the node failed, if it did. Any thread (racy, for diagnostics). */
  Optional<Throwable> failure() {
    RaftException stoppedBy = fatal;
    return Optional.ofNullable(
        stoppedBy == null || stoppedBy.getCause() == null ? stoppedBy : stoppedBy.getCause());
  }

  /** The error a request gets from a node in {@code state}, which does not run. */
  RaftException notRunning(State state) {
    if (state == State.FAILED) {
      return error();
    }
    if (state == State.STARTING) {
      return new NodeClosedException("node " + id + " is not started yet");
    }
    return new NodeClosedException("node " + id + " is closed");
  }

  /**
   * The node failed to start on {@code e} (it is FAILED now): stops the applier if it was built,
   * fails {@code started} with {@code e}, the leader waiters and {@link #stopped} with the error.
   */
  void startFailed(CompletableFuture<Void> started, Throwable e, Applier applier) {
    fatal =
        e instanceof RaftException r
            ? r
            : new NodeClosedException("node " + id + " did not start: " + e.getMessage());
    if (fatal.getCause() == null && fatal != e) {
      fatal.initCause(e);
    }
    if (applier != null) {
      applier.stop();
    }
    started.completeExceptionally(e);
    leaderWaiters.failAll(this::error);
    stopped.completeExceptionally(error());
  }

  /**
   * A running node stops on {@code error} after {@code what} (it is FAILED now): keeps the error
   * and reports it. The node then stops its timers and pipelines and calls {@link #failed}.
   */
  void failing(String what, RaftException error) {
    fatal = error;
    events.failed(what, error.getCause() == null ? error : error.getCause());
  }

  /**
   * The failed node's pipelines are stopped: publishes it as a FAILED follower without leader or
   * peers, fails everything pending with (copies of) the error and then {@link #stopped}.
   */
  void failed(long handedOutUpTo, Applier applier) {
    RaftStatus last = status.current();
    status.publish(
        StatusPublisher.view(
            last,
            last.appliedIndex(),
            last.snapshotIndex(),
            State.FAILED,
            Optional.empty(),
            List.of()));
    RaftException error = fatal;
    failAll(
        handedOutUpTo,
        applier,
        this::error,
        this::error,
        () -> NodeErrors.stoppedAfterAppend(id, error, error()));
    stopped.completeExceptionally(error());
  }

  /** The node is closed (it was starting or running): fails everything pending as closed. */
  void closing(long handedOutUpTo, Applier applier) {
    failAll(
        handedOutUpTo,
        applier,
        () -> NodeErrors.closed(id),
        () -> NodeErrors.closedBeforeWritten(id),
        () -> NodeErrors.closedBeforeOutcome(id));
  }

  /** The closed node's loop stopped: {@link #stopped} completes (if a failure did not first). */
  void closed() {
    stopped.complete(null);
  }

  /**
   * Fails everything pending: requests with {@code failure}; proposals never handed to the log
   * writer (above {@code handedOutUpTo}: only in this node's memory, so they cannot take effect)
   * with {@code notAppended}, the others with {@code appended}. {@code applier} is null before the
   * node opened its storage.
   */
  private void failAll(
      long handedOutUpTo,
      Applier applier,
      Supplier<RaftException> failure,
      Supplier<RaftException> notAppended,
      Supplier<RaftException> appended) {
    proposals.failAll(handedOutUpTo, notAppended, appended);
    membershipChanges.failAll(appended);
    forwarded.failAll(appended);
    leaderWaiters.failAll(failure);
    reads.failAll(failure);
    if (applier != null) {
      applier.failReads(failure::get);
    }
    transfers.fail(failure);
  }
}
