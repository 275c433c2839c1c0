package io.jangada.raft;

/**
 * The failures a {@link RaftNode} reports through its futures. Unchecked: they arrive as the cause
 * of a {@link java.util.concurrent.CompletionException} or {@link
 * java.util.concurrent.ExecutionException}.
 */
public abstract sealed class RaftException extends RuntimeException
    permits NotLeaderException,
        ProposalDroppedException,
        IndeterminateResultException,
        NodeClosedException,
        StorageFailedException,
        StateMachineException,
        LeadershipTransferException,
        RequestTimeoutException,
        MembershipChangeException,
        SessionExpiredException {

  RaftException(String message) {
    super(message);
  }

  RaftException(String message, Throwable cause) {
    super(message, cause);
  }
}
