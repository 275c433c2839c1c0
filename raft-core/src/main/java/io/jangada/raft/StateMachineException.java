package io.jangada.raft;

/**
 * The {@link StateMachine} threw (from {@code apply}, {@code restore} or a snapshot install). This
 * is fatal for the node: its state may now differ from the other nodes', so it stopped (its status
 * is {@link RaftStatus.State#FAILED}) and fails every pending and later request with this
 * exception. The cause is the state machine's own exception. A proposal that was appended before
 * the failure fails with {@link IndeterminateResultException} instead (with this as its cause): the
 * other nodes may still commit it.
 */
public final class StateMachineException extends RaftException {

  public StateMachineException(String message, Throwable cause) {
    super(message, cause);
  }
}
