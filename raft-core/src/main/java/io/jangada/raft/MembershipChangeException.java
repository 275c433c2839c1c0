package io.jangada.raft;

import java.util.Objects;

/**
 * The leader refused a membership change ({@link RaftNode#changeMembership} and its conveniences);
 * nothing was appended, so the configuration in force is unchanged. {@link #reason()} says why; the
 * subclasses let callers catch the cases they handle: {@link ConcurrentMembershipChangeException}
 * (another change is in flight, or the caller's view is stale: re-read the configuration and
 * retry), {@link LearnerNotCaughtUpException} (retry once the learner caught up) and {@link
 * UnknownMemberException} (the node is not a member).
 */
public sealed class MembershipChangeException extends RaftException
    permits ConcurrentMembershipChangeException,
        LearnerNotCaughtUpException,
        UnknownMemberException {

  /** Why a change was refused. */
  public enum Reason {
    /** Another change is not complete yet; changes are never queued. */
    CHANGE_IN_PROGRESS,
    /** The expected configuration index is not the one in force (compare-and-set failed). */
    STALE_CONFIGURATION,
    /** A node to become a voter is too far behind the leader's log, or not a learner yet. */
    NOT_CAUGHT_UP,
    /** The node named is not a member of the configuration in force. */
    UNKNOWN_MEMBER,
    /** The leader cannot change the configuration right now (new leader, transfer); retry. */
    LEADER_NOT_READY,
    /** The requested configuration is not a valid next one (see the message). */
    INVALID
  }

  private final Reason reason;

  /** A refusal for {@code reason}, explained by {@code message}. */
  public MembershipChangeException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the change was refused. */
  public Reason reason() {
    return reason;
  }
}
