package io.jangada.raft;

/**
 * The client session a request named is not (or no longer) in the replicated session table: it
 * expired (idle longer than {@link SessionLimits#timeout()}), was evicted to respect {@link
 * SessionLimits#maxSessions()} or {@link SessionLimits#maxCachedBytes()}, was closed, or the
 * request's result was already acknowledged and dropped. The library then never applies the command
 * again, so whether an earlier attempt of this sequence took effect is unknown; a request that was
 * never sent before may be retried safely in a new session.
 */
public final class SessionExpiredException extends RaftException {

  private final long clientId;
  private final long sequence;

  public SessionExpiredException(long clientId, long sequence, String message) {
    super(message);
    this.clientId = clientId;
    this.sequence = sequence;
  }

  /** The session's client id. */
  public long clientId() {
    return clientId;
  }

  /** The sequence number of the request whose outcome is unknown. */
  public long sequence() {
    return sequence;
  }
}
