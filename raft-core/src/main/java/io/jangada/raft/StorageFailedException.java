package io.jangada.raft;

/**
 * A storage operation failed. This is fatal for the node: it stopped, acknowledges nothing it could
 * not persist, and fails every pending request with this exception. The cause is the original
 * error.
 */
public final class StorageFailedException extends RaftException {

  public StorageFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
