package io.jangada.raft;

/**
 * A membership change was refused because another one is still in flight ({@link
 * MembershipChangeException.Reason#CHANGE_IN_PROGRESS}) or the caller based it on a configuration
 * that is no longer the one in force ({@link MembershipChangeException.Reason#STALE_CONFIGURATION},
 * the compare-and-set of {@link RaftNode#changeMembership} failed). Nothing was appended: read the
 * configuration again ({@link RaftNode#status()}) and retry.
 */
public final class ConcurrentMembershipChangeException extends MembershipChangeException {

  /** A refusal for {@code reason}, which must be one of the two above. */
  public ConcurrentMembershipChangeException(Reason reason, String message) {
    super(reason, message);
    if (reason != Reason.CHANGE_IN_PROGRESS && reason != Reason.STALE_CONFIGURATION) {
      throw new IllegalArgumentException("not a concurrency reason: " + reason);
    }
  }
}
