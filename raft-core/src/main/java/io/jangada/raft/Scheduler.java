package io.jangada.raft;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Where a {@link RaftNode} runs its work: serial lanes (the loop, the log writer, the applier) and
 * timers. The default, {@link #system()}, gives each lane its own platform thread; tests may supply
 * a virtual-time implementation to run a node deterministically.
 *
 * <p>Thread-safe: lanes and timers are used from every thread of the node.
 */
public interface Scheduler {

  /**
   * A new serial executor: tasks submitted to it run one at a time, in submission order. Tasks
   * submitted after {@link #shutdown()} are silently discarded.
   */
  Executor newLane(String name);

  /**
   * Runs {@code task} on {@code lane} after {@code delay}.
   *
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(Duration delay, Executor lane, Runnable task);

  /**
   * The current time in nanoseconds, for measuring intervals only; must never go backwards. The
   * node counts its ticks by it (tick {@code k} is due {@code k} tick intervals after start), so
   * ticks a late timer or a process pause delayed are delivered, not lost; a virtual-time
   * implementation makes the ticks follow its virtual time.
   */
  long nanoTime();

  /**
   * The wall-clock time in milliseconds. A leader stamps it into client-session entries, whose
   * expiry is measured in these stamps; defaults to {@link System#currentTimeMillis()}.
   */
  default long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  /**
   * Stops every lane after its running task and cancels all timers. Blocks until the lanes' threads
   * have finished their current task (at most a few seconds).
   */
  void shutdown();

  /**
   * Blocks the calling thread until {@code future} completes or {@code timeout} passes. A
   * virtual-time scheduler runs its queued tasks and moves its time forward, up to {@code timeout},
   * instead of blocking, since nothing else would.
   *
   * @return whether the future completed
   */
  default boolean awaitDone(java.util.concurrent.Future<?> future, Duration timeout) {
    try {
      future.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started; idempotent. */
    void cancel();
  }

  /** A scheduler on platform threads, one per lane plus one timer thread. */
  static Scheduler system() {
    return new SystemScheduler();
  }
}
