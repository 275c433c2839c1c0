package io.jangada.raft;

/**
 * The leader refused the request without appending it: too large, too much uncommitted backlog
 * (backpressure), or a leadership transfer in progress. Nothing was appended; retrying later is
 * safe.
 */
public final class ProposalDroppedException extends RaftException {

  public ProposalDroppedException(String reason) {
    super(reason);
  }
}
