package io.jangada.raft;

/**
 * A leadership transfer did not complete: the target did not take over within an election timeout,
 * is not a voter, or this node is not the leader. The old leader resumes normal service.
 */
public final class LeadershipTransferException extends RaftException {

  public LeadershipTransferException(String message) {
    super(message);
  }
}
