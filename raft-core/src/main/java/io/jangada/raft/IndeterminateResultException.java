package io.jangada.raft;

/**
 * The command was appended to the log, but this node lost leadership (or was closed) before it
 * learned whether the entry committed. The command may or may not take effect.
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
}
