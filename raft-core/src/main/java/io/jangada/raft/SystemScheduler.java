package io.jangada.raft;

import io.jangada.raft.internal.ThreadLane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Scheduler}: one daemon platform thread per lane and one for timers. Not part
 * of the public API; obtain it through {@link Scheduler#system()}.
 */
final class SystemScheduler implements Scheduler {

  private static final Logger log = LoggerFactory.getLogger(SystemScheduler.class);

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemon("jangada-timer"));
  private final List<ThreadLane> lanes = new ArrayList<>();
  private volatile boolean shutdown;

  @Override
  public synchronized Executor newLane(String name) {
    if (shutdown) {
      throw new IllegalStateException("scheduler is shut down");
    }
    ThreadLane lane =
        new ThreadLane(name, (lane1, e) -> log.error("uncaught failure on {}", lane1, e));
    lanes.add(lane);
    return lane;
  }

  @Override
  public Cancellable schedule(Duration delay, Executor lane, Runnable task) {
    try {
      ScheduledFuture<?> future =
          timer.schedule(
              // On the timer thread if the lane is idle: one wake-up per tick instead of two.
              () -> ThreadLane.executeHere(lane, task), delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    } catch (RejectedExecutionException e) {
      return () -> {};
    }
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void shutdown() {
    List<ThreadLane> toStop;
    synchronized (this) {
      shutdown = true;
      toStop = List.copyOf(lanes);
    }
    timer.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ThreadLane lane : toStop) {
      lane.shutdown();
    }
    for (ThreadLane lane : toStop) {
      lane.awaitEnd(Math.max(0, deadline - System.nanoTime()));
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
