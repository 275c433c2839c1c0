package io.jangada.raft;

/**
 * A read or a leadership transfer could not be completed in time (for example, the leader could not
 * be reached to confirm a read index). Nothing was changed; retrying is safe.
 */
public final class RequestTimeoutException extends RaftException {

  public RequestTimeoutException(String message) {
    super(message);
  }
}
