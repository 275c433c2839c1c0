package io.jangada.raft.grpc;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per second; the next logged line says how many were suppressed. For
 * events a peer or a misconfiguration can repeat at network speed. Thread-safe.
 */
final class RateLimitedLog {
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private final Logger log;
  private final AtomicLong nextNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log) {
    this.log = log;
  }

  /** Logs {@code text} (already formatted) unless a line was logged in the last second. */
  void warn(String text) {
    long now = System.nanoTime();
    long next = nextNanos.get();
    if (now - next >= 0 && nextNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
      long more = suppressed.getAndSet(0);
      log.warn("{}{}", text, more == 0 ? "" : " (+" + more + " similar in the last second)");
    } else {
      suppressed.incrementAndGet();
    }
  }
}
