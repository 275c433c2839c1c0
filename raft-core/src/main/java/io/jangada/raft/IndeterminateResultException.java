package io.jangada.raft;

/**
 * The command was appended to the log, but this node lost leadership (or was closed) before it
 * learned whether the entry committed. The command may or may not take effect.
 *
 * <p>Retrying gives at-least-once semantics: the command may then apply twice. To get exactly-once
 * semantics, make commands idempotent or carry a client session (client id + request sequence) that
 * the state machine deduplicates, as the examples' key-value store does. Not retrying gives
 * at-most-once semantics.
 */
public final class IndeterminateResultException extends RaftException {

  public IndeterminateResultException(String message) {
    super(message);
  }
}
