package io.jangada.raft;

/**
 * The proposal did not and will not take effect, so retrying it is safe: the leader refused it
 * without appending it (too large, too much uncommitted backlog, a leadership transfer in
 * progress), or its entry was appended but then overwritten by a newer leader's entry before it
 * committed.
 */
public final class ProposalDroppedException extends RaftException {

  public ProposalDroppedException(String reason) {
    super(reason);
  }
}
