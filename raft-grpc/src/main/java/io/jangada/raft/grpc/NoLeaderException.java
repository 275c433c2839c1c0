package io.jangada.raft.grpc;

/**
 * No node could complete the request before the {@link RaftClient}'s deadline (no leader elected or
 * reachable, or answers kept being indeterminate). {@link #mayHaveTakenEffect()} tells whether a
 * submitted command may still have been applied.
 */
public final class NoLeaderException extends RaftClientException {

  private static final long serialVersionUID = 1L;

  private final boolean mayHaveTakenEffect;

  public NoLeaderException(String message, boolean mayHaveTakenEffect, Throwable lastError) {
    super(message, lastError);
    this.mayHaveTakenEffect = mayHaveTakenEffect;
  }

  /** Whether an attempt may have been appended (its outcome is unknown); false for queries. */
  public boolean mayHaveTakenEffect() {
    return mayHaveTakenEffect;
  }
}
