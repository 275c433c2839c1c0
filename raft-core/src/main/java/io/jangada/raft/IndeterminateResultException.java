package io.jangada.raft;

/**
 * The command was appended to the log (and may have been sent to other nodes), but this node lost
 * leadership, was closed or failed before it learned whether the entry committed. The command may
 * or may not take effect. A proposal that certainly did not take effect never fails with this
 * exception: one refused before it was appended fails with {@link ProposalDroppedException}, {@link
 * NotLeaderException}, {@link NodeClosedException}, {@link StorageFailedException} or {@link
 * StateMachineException}; one whose entry was overwritten by another leader's fails with {@link
 * ProposalDroppedException}.
 *
 * <p>Retrying a plain proposal gives at-least-once semantics: the command may then apply twice. For
 * exactly-once semantics propose within a client session ({@link RaftNode#openSession()}, {@link
 * RaftNode#propose(io.jangada.raft.model.Bytes, SessionInfo)}) and retry with the same sequence:
 * the library applies it at most once. Not retrying gives at-most-once semantics.
 */
public final class IndeterminateResultException extends RaftException {

  public IndeterminateResultException(String message) {
    super(message);
  }

  /** With the failure that made the outcome unknown (e.g. a {@link StorageFailedException}). */
  public IndeterminateResultException(String message, Throwable cause) {
    super(message, cause);
  }
}
