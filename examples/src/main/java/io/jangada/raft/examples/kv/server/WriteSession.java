package io.jangada.raft.examples.kv.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The library client session in which one HTTP server proposes the writes that carry no {@code
 * Idempotency-Key}: proposing them as session requests lets a follower forward them to the leader
 * inside the library, with one log entry per write. Nobody retries such a write (its HTTP client
 * cannot name the session), so the cluster need keep no results: each request acknowledges every
 * sequence below the lowest one still in flight on this server.
 *
 * <p>The session is opened on first use and opened again after it expired (idle longer than the
 * node's session timeout) or was evicted: a request the cluster refused with "session expired" was
 * not applied and had no earlier attempt, so sending it once more in the new session is safe.
 *
 * <p>Thread-safe.
 */
final class WriteSession {

  private final Supplier<CompletableFuture<Long>> opener;
  private final AtomicLong nextSequence = new AtomicLong();
  private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
  private CompletableFuture<Long> session; // guarded by this

  /**
   * @param opener opens a new unnamed session ({@code RaftNode.openSession()})
   */
  WriteSession(Supplier<CompletableFuture<Long>> opener) {
    this.opener = opener;
  }

  /** The session's client id, opening a session if there is none or the last open failed. */
  synchronized CompletableFuture<Long> clientId() {
    if (session == null || session.isCompletedExceptionally()) {
      session = opener.get();
    }
    return session;
  }

  /** Session {@code clientId} is gone on the cluster: the next request opens a new one. */
  synchronized void expired(long clientId) {
    if (session != null
        && session.isDone()
        && !session.isCompletedExceptionally()
        && session.join() == clientId) {
      session = null;
    }
  }

  /** A new sequence number, in flight until {@link #end}. */
  long begin() {
    long sequence = nextSequence.incrementAndGet();
    inFlight.add(sequence);
    return sequence;
  }

  /** The lowest sequence still in flight: every one below it is finished. */
  long lowestUnacknowledged(long sequence) {
    Long lowest = inFlight.isEmpty() ? null : inFlight.first();
    return lowest == null ? sequence : Math.min(lowest, sequence);
  }

  /** The request with {@code sequence} finished (answered, failed or timed out). */
  void end(long sequence) {
    inFlight.remove(sequence);
  }
}
