package io.jangada.raft.internal;

import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftException;
import io.jangada.raft.StateMachineException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.core.ProposeResult;
import io.jangada.raft.model.NodeId;

/**
 * The public exceptions a node's failures and refusals become: a proposal too large or dropped by
 * the core, a storage failure that stops the node, and the copies of the error that stopped it (one
 * per caller, each with its own stack). Stateless; any thread.
 */
final class NodeErrors {

  private NodeErrors() {}

  static ProposalDroppedException tooLarge(int size, int limit) {
    return new ProposalDroppedException(
        ProposalDroppedException.Reason.TOO_LARGE,
        "command of "
            + size
            + " bytes exceeds the limit of "
            + limit
            + " bytes (RaftNode.Builder.maxProposalBytes)");
  }

  static ProposalDroppedException.Reason dropReason(ProposeResult.Dropped dropped) {
    // The core states its reason in words; these are the two it has (RaftCore.propose).
    return dropped.reason().startsWith("leadership transfer")
        ? ProposalDroppedException.Reason.LEADERSHIP_TRANSFER
        : ProposalDroppedException.Reason.BACKLOG_FULL;
  }

  /** The error's message with its cause, unless the message already names it. */
  static String describe(RaftException error) {
    Throwable cause = error.getCause();
    return error.getMessage()
        + (cause == null || error.getMessage().contains(cause.toString()) ? "" : ": " + cause);
  }

  static StorageFailedException storageFailed(NodeId id, String what, Throwable cause) {
    return new StorageFailedException(
        "node " + id + " stopped: its storage failed " + what + ": " + cause, cause);
  }

  /**
   * A fresh copy of {@code fatal}, the error that stopped node {@code id} (each caller gets its own
   * stack), or "has stopped" if it stopped without one.
   */
  static RaftException copyOf(RaftException fatal, NodeId id) {
    if (fatal instanceof StorageFailedException) {
      return new StorageFailedException(fatal.getMessage(), fatal.getCause());
    } else if (fatal instanceof StateMachineException) {
      return new StateMachineException(fatal.getMessage(), fatal.getCause());
    } else if (fatal != null) {
      return fatal;
    }
    return new NodeClosedException("node " + id + " has stopped");
  }

  static NodeClosedException closed(NodeId id) {
    return new NodeClosedException("node " + id + " was closed");
  }

  /** For a proposal closed before the log writer or any peer saw it: it cannot take effect. */
  static NodeClosedException closedBeforeWritten(NodeId id) {
    return new NodeClosedException(
        "node "
            + id
            + " was closed before the proposal was written or sent anywhere; it did not take"
            + " effect");
  }

  static IndeterminateResultException closedBeforeOutcome(NodeId id) {
    return new IndeterminateResultException(
        "node " + id + " was closed before the proposal's outcome was known");
  }

  static IndeterminateResultException lostLeadership(NodeId id) {
    return new IndeterminateResultException(
        "node "
            + id
            + " lost leadership before the proposal's outcome was known; it may or may not take"
            + " effect");
  }

  /** For a proposal appended before the node stopped on {@code error}: the others may commit it. */
  static IndeterminateResultException stoppedAfterAppend(
      NodeId id, RaftException error, RaftException cause) {
    return new IndeterminateResultException(
        "node "
            + id
            + " stopped after the proposal was appended, so it may or may not take effect through"
            + " the other nodes: "
            + error.getMessage(),
        cause);
  }
}
