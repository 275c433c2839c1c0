package io.jangada.raft;

/**
 * The client session a proposal belongs to, which makes retries exactly-once: the library applies a
 * {@code (clientId, sequence)} at most once and answers a retry with the remembered result.
 *
 * @param clientId the id {@link RaftNode#openSession()} returned
 * @param sequence this request's number within the session, at least 1; each new request of the
 *     session takes a new number (a retry reuses it)
 * @param lowestUnacknowledged every sequence below this one has its answer at the client, so the
 *     cluster may forget those results (at least 1, at most {@code sequence})
 */
public record SessionInfo(long clientId, long sequence, long lowestUnacknowledged) {
  public SessionInfo {
    if (clientId < 1) {
      throw new IllegalArgumentException("clientId must be >= 1, got " + clientId);
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1, got " + sequence);
    }
    if (lowestUnacknowledged < 1 || lowestUnacknowledged > sequence) {
      throw new IllegalArgumentException(
          "lowestUnacknowledged must be in 1.."
              + sequence
              + " (the sequence), got "
              + lowestUnacknowledged);
    }
  }
}
