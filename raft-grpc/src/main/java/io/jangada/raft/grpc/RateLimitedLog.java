package io.jangada.raft.grpc;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per second (or per the given interval); the next logged line says how
 * many were suppressed. For events a peer or a misconfiguration can repeat at network speed.
 * Thread-safe.
 */
final class RateLimitedLog {
  private final long intervalNanos;
  private final Logger log;
  private final AtomicLong nextNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log) {
    this(log, Duration.ofSeconds(1));
  }

  RateLimitedLog(Logger log, Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
  }

  /** Logs {@code text} (already formatted) unless a line was logged within the interval. */
  void warn(String text) {
    long now = System.nanoTime();
    long next = nextNanos.get();
    if (now - next >= 0 && nextNanos.compareAndSet(next, now + intervalNanos)) {
      long more = suppressed.getAndSet(0);
      log.warn("{}{}", text, more == 0 ? "" : " (+" + more + " similar suppressed)");
    } else {
      suppressed.incrementAndGet();
    }
  }
}
