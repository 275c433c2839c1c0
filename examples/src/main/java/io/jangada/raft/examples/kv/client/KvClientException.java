package io.jangada.raft.examples.kv.client;

/**
 * A request failed: the cluster rejected it (status 4xx/5xx with a JSON error) or no node answered
 * before the client's deadline ({@link #status()} is 0 then).
 */
public final class KvClientException extends RuntimeException {

  private final int status;

  KvClientException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status of the final answer, or 0 if no node answered. */
  public int status() {
    return status;
  }

  /** Whether the write may or may not have taken effect (retry with the same key is safe). */
  public boolean outcomeUnknown() {
    return status == 0 || status == 504;
  }
}
