package io.jangada.raft;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of the replicated client-session table. The leader stamps its limits (and its clock) into
 * every session entry it appends, and every node applies the entry with those values, so nodes
 * configured differently still agree on the table; a new leader's limits take effect from its first
 * session entry.
 *
 * @param timeout a session with no entry for longer than this (by the leaders' clocks, as stamped
 *     into entries) expires; a leader whose clock runs fast expires sessions early
 * @param maxSessions opening a session beyond this evicts the least recently active one
 * @param maxCachedBytes results kept for unacknowledged requests, over all sessions; beyond it the
 *     least recently active sessions are evicted
 */
public record SessionLimits(Duration timeout, int maxSessions, long maxCachedBytes) {

  /** Ten minutes, 10,000 sessions, 32 MiB. */
  public static final SessionLimits DEFAULT =
      new SessionLimits(Duration.ofMinutes(10), 10_000, 32L << 20);

  public SessionLimits {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be >= 1, got " + maxSessions);
    }
    if (maxCachedBytes < 1) {
      throw new IllegalArgumentException("maxCachedBytes must be >= 1, got " + maxCachedBytes);
    }
  }
}
