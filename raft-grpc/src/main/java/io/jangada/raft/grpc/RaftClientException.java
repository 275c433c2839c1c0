package io.jangada.raft.grpc;

/**
 * A request of a {@link RaftClient} failed for good. Subclasses name the common causes; this class
 * itself is used for answers that retrying cannot change (the state machine rejected a query); a
 * cluster id that does not match is a {@link WrongClusterException}. Unchecked; arrives as the
 * cause of the future's failure.
 */
public class RaftClientException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RaftClientException(String message) {
    super(message);
  }

  public RaftClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
