package io.jangada.raft.internal;

import io.jangada.raft.model.NodeId;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a node's ticks by the scheduler's clock, not by the timer tasks that ran: tick {@code k}
 * is due {@code k} intervals after {@link #start}. A timer that fires late (a GC stall, a suspended
 * process, a busy loop lane) therefore leaves no tick out: {@link #take} hands out every due tick
 * not handed out yet, so that a leader has counted the time a pause took before it answers a read
 * from its lease. The next timer aims at the next due tick, so lateness does not add up either.
 *
 * <p>Confined to the loop lane.
 */
final class TickClock {

  private static final Logger log = LoggerFactory.getLogger(TickClock.class);

  private final NodeId id;
  private final long intervalNanos;
  private final int electionTicks;
  private long startNanos;
  private long delivered;

  TickClock(NodeId id, Duration interval, int electionTicks) {
    this.id = id;
    this.intervalNanos = interval.toNanos();
    this.electionTicks = electionTicks;
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("tick interval must be positive, got " + interval);
    }
  }

  /** Tick 0 is at {@code nowNanos}; none has been handed out. */
  void start(long nowNanos) {
    startNanos = nowNanos;
    delivered = 0;
  }

  /**
   * How many ticks are due at {@code nowNanos} and not handed out yet; they count as handed out.
   */
  long take(long nowNanos) {
    long due = (nowNanos - startNanos) / intervalNanos;
    if (due <= delivered) {
      return 0;
    }
    long count = due - delivered;
    delivered = due;
    if (count > electionTicks) {
      log.warn("node {} missed {} ticks (was it paused?); delivering them now", id, count);
    }
    return count;
  }

  /**
   * How many of {@code due} ticks to hand to the core in a row: all of them, up to three election
   * timeouts. By then every timer of the core has run out (the longest, a randomized election
   * timeout, is shorter than two); more would only repeat campaigns and heap up their messages.
   */
  long forCore(long due) {
    return Math.min(due, 3L * electionTicks);
  }

  /** The delay from {@code nowNanos} until the next tick not handed out is due (zero if it is). */
  Duration untilNext(long nowNanos) {
    long next = startNanos + (delivered + 1) * intervalNanos;
    return Duration.ofNanos(Math.max(0, next - nowNanos));
  }
}
