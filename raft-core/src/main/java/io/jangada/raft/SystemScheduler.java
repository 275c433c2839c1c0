package io.jangada.raft;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
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
  private final List<ExecutorService> lanes = new ArrayList<>();
  private volatile boolean shutdown;

  @Override
  public synchronized Executor newLane(String name) {
    if (shutdown) {
      throw new IllegalStateException("scheduler is shut down");
    }
    ExecutorService lane = Executors.newSingleThreadExecutor(daemon(name));
    lanes.add(lane);
    return task -> {
      try {
        lane.execute(() -> runLogged(name, task));
      } catch (RejectedExecutionException e) {
        // Shut down: the node is closing and drops late work by design.
      }
    };
  }

  @Override
  public Cancellable schedule(Duration delay, Executor lane, Runnable task) {
    try {
      ScheduledFuture<?> future =
          timer.schedule(() -> lane.execute(task), delay.toNanos(), TimeUnit.NANOSECONDS);
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
    List<ExecutorService> toStop;
    synchronized (this) {
      shutdown = true;
      toStop = List.copyOf(lanes);
    }
    timer.shutdownNow();
    for (ExecutorService lane : toStop) {
      lane.shutdown();
    }
    for (ExecutorService lane : toStop) {
      try {
        if (!lane.awaitTermination(5, TimeUnit.SECONDS)) {
          lane.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        lane.shutdownNow();
      }
    }
  }

  private static void runLogged(String lane, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("uncaught failure on {}", lane, e);
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
