package io.jangada.raft.testing;

import io.jangada.raft.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;

/**
 * A {@link Scheduler} in virtual time, for deterministic tests: nothing runs until the test calls
 * {@link #runUntilIdle()} or {@link #advance(Duration)}, and then everything runs on the calling
 * thread, one task at a time, in a reproducible order (FIFO; timers by due time, then by scheduling
 * order). Lanes are serial because all tasks are.
 *
 * <p>Thread-safe: other threads may submit tasks (e.g. a test proposing from many threads); they
 * run when the driving thread next runs the scheduler.
 */
public final class ManualScheduler implements Scheduler {

  private record Timer(long due, long seq, Executor lane, Runnable task, boolean[] cancelled) {}

  private final ArrayDeque<Runnable> runnable = new ArrayDeque<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(
          (a, b) ->
              a.due() != b.due() ? Long.compare(a.due(), b.due()) : Long.compare(a.seq(), b.seq()));
  private long now;
  private long seq;
  private boolean shutdown;

  /** A scheduler at virtual time zero with nothing queued. */
  public ManualScheduler() {}

  @Override
  public Executor newLane(String name) {
    return task -> {
      synchronized (this) {
        if (!shutdown) {
          runnable.add(task);
        }
      }
    };
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Executor lane, Runnable task) {
    boolean[] cancelled = {false};
    if (!shutdown) {
      timers.add(new Timer(now + Math.max(0, delay.toNanos()), seq++, lane, task, cancelled));
    }
    return () -> {
      synchronized (this) {
        cancelled[0] = true;
      }
    };
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  /**
   * Virtual time in milliseconds (zero at creation), never the machine's clock: leaders stamp it
   * into client-session entries, so session expiry in tests follows {@link #advance(Duration)}.
   */
  @Override
  public synchronized long currentTimeMillis() {
    return now / 1_000_000;
  }

  /** Virtual time elapsed since creation. */
  public synchronized Duration elapsed() {
    return Duration.ofNanos(now);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
    runnable.clear();
    timers.clear();
  }

  /**
   * Runs queued tasks until {@code future} is done; if that is not enough, moves virtual time
   * forward (firing timers) in steps of at most a millisecond until it is done or {@code timeout}
   * of virtual time has passed.
   */
  @Override
  public boolean awaitDone(java.util.concurrent.Future<?> future, Duration timeout) {
    runUntilIdle();
    long deadline = nanoTime() + Math.max(0, timeout.toNanos());
    while (!future.isDone() && nanoTime() < deadline) {
      advance(Duration.ofNanos(Math.min(STEP_NANOS, deadline - nanoTime())));
    }
    return future.isDone();
  }

  private static final long STEP_NANOS = 1_000_000;

  /** Runs queued tasks (and tasks they queue) until none is left; time does not move. */
  public void runUntilIdle() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = runnable.poll();
      }
      if (next == null) {
        return;
      }
      next.run();
    }
  }

  /** Moves time forward by {@code duration}, firing due timers in order and running all tasks. */
  public void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    runUntilIdle();
    while (true) {
      Timer timer;
      synchronized (this) {
        timer = timers.peek();
        if (timer == null || timer.due() > target) {
          now = target;
          break;
        }
        timers.poll();
        now = Math.max(now, timer.due());
        if (timer.cancelled()[0]) {
          continue;
        }
      }
      timer.lane().execute(timer.task());
      runUntilIdle();
    }
    runUntilIdle();
  }
}
