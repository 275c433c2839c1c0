package io.jangada.raft;

import java.util.Objects;

/**
 * The proposal did not and will not take effect: the leader refused it without appending it (too
 * large, too much uncommitted backlog, a leadership transfer in progress), or its entry was
 * appended but then overwritten by a newer leader's entry before it committed. See {@link
 * #reason()} for whether retrying can succeed.
 */
public final class ProposalDroppedException extends RaftException {

  /** Why a proposal was dropped. */
  public enum Reason {
    /** Larger than {@code RaftNode.Builder.maxProposalBytes}: retrying never succeeds. */
    TOO_LARGE,
    /** The uncommitted backlog is full ({@code RaftConfig.maxUncommittedBytes}): retry later. */
    BACKLOG_FULL,
    /** A leadership transfer is in progress: retry (at the new leader) shortly. */
    LEADERSHIP_TRANSFER,
    /**
     * The entry was appended, then overwritten by a newer leader's entry before it committed: it
     * certainly did not take effect; retry at the current leader.
     */
    OVERWRITTEN;

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
