package io.jangada.raft;

import java.util.Objects;

/**
 * The leader refused the request without appending it: too large, too much uncommitted backlog
 * (backpressure), or a leadership transfer in progress. Nothing was appended. See {@link #reason()}
 * for whether retrying can succeed.
 */
public final class ProposalDroppedException extends RaftException {

  /** Why a proposal was dropped. */
  public enum Reason {
    /** Larger than {@code RaftNode.Builder.maxProposalBytes}: retrying never succeeds. */
    TOO_LARGE,
    /** The uncommitted backlog is full ({@code RaftConfig.maxUncommittedBytes}): retry later. */
    BACKLOG_FULL,
    /** A leadership transfer is in progress: retry (at the new leader) shortly. */
    LEADERSHIP_TRANSFER;

    /** Whether retrying the same proposal later can succeed. */
    public boolean retryable() {
      return this != TOO_LARGE;
    }
  }

  private final Reason reason;

  /** A drop for {@link Reason#BACKLOG_FULL}, kept for callers that predate {@link Reason}. */
  public ProposalDroppedException(String message) {
    this(Reason.BACKLOG_FULL, message);
  }

  public ProposalDroppedException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the proposal was dropped. */
  public Reason reason() {
    return reason;
  }
}
