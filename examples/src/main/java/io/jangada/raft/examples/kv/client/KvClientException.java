package io.jangada.raft.examples.kv.client;

/**
 * A request failed: the cluster rejected it (status 4xx/5xx with a JSON error) or no node answered
 * before the client's deadline ({@link #status()} is 0 then).
 */
public final class KvClientException extends RuntimeException {

  private final int status;
  private final boolean outcomeUnknown;

  /** A failure whose outcome is unknown only if the cluster answered {@code 504}. */
  KvClientException(int status, String message) {
    this(status, message, status == 504);
  }

  KvClientException(int status, String message, boolean outcomeUnknown) {
    super(message);
    this.status = status;
    this.outcomeUnknown = outcomeUnknown;
  }

  /** The HTTP status of the final answer, or 0 if no node answered. */
  public int status() {
    return status;
  }

  /**
   * Whether the write may or may not have taken effect (retry with the same key is safe). False for
   * reads, and for a write that no node received (every attempt was refused at connection, or
   * answered {@code 503}: no leader known).
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }
}
