package io.jangada.raft;

/**
 * A node was not made a voter because its log is too far behind the leader's (more than {@link
 * io.jangada.raft.core.RaftConfig#maxPromotionLag()} entries) or lacks the configuration in force,
 * the leader has not heard from it within the election timeout, or it is not a learner yet. Nothing
 * was appended; retry once it caught up ({@link RaftStatus#peers()} on the leader shows its match
 * index).
 */
public final class LearnerNotCaughtUpException extends MembershipChangeException {

  /** A refusal explained by {@code message}. */
  public LearnerNotCaughtUpException(String message) {
    super(Reason.NOT_CAUGHT_UP, message);
  }
}
