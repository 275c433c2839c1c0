package io.jangada.raft.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * A serial lane on its own platform thread (the default {@code Scheduler}'s lanes): tasks run one
 * at a time, in submission order, each completely before the next (with a happens-before edge
 * between them, whatever thread runs them).
 *
 * <p>Cheaper hand-offs than a single-thread {@code ThreadPoolExecutor} (issue 16): the queue is
 * lock-free, and a producer wakes the lane's thread ({@code LockSupport.unpark}) only when the lane
 * is idle; tasks queued while it runs cost no wake-up and no lock.
 *
 * <p>{@link #executeHere} lets a caller that would otherwise queue a task and wake the lane's
 * thread run the task itself, on its own thread, when the lane is idle (nothing running, nothing
 * queued): the hand-off and the wake-up are saved. Whatever that task queues onto the lane (and
 * whatever others queue meanwhile) runs right after it on the same thread, at most {@link
 * #INLINE_BURST} tasks; the rest is handed to the lane's thread. Mutual exclusion and order are the
 * same as for {@link #execute}.
 *
 * <p>Thread-safe. After {@link #shutdown} new tasks are dropped; the thread finishes the queued
 * ones and ends.
 */
public final class ThreadLane implements Executor {

  /** Most tasks a caller of {@link #executeHere} runs before handing the rest to the thread. */
  static final int INLINE_BURST = 16;

  private static final int IDLE = 0; // nothing runs; the thread waits for a wake-up
  private static final int THREAD = 1; // the lane's thread owns the lane (runs or is woken)
  private static final int CALLER = 2; // a caller of executeHere owns the lane

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger owner = new AtomicInteger(IDLE);
  private final Thread thread;
  private final String name;
  private final BiConsumer<String, Throwable> uncaught;
  private volatile boolean shutdown;

  /**
   * Starts the lane's daemon thread, named {@code name}; a task's uncaught exception goes to {@code
   * uncaught} (lane name, exception) and the lane goes on.
   */
  public ThreadLane(String name, BiConsumer<String, Throwable> uncaught) {
    this.name = name;
    this.uncaught = uncaught;
    this.thread = new Thread(this::work, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code task}; wakes the lane's thread if the lane is idle. Dropped after shutdown. */
  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      return; // the node is closing and drops late work by design
    }
    queue.add(task);
    if (owner.get() == IDLE && owner.compareAndSet(IDLE, THREAD)) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * Runs {@code task} on the calling thread now if the lane is idle (nothing running or queued),
   * then what it queued onto this lane (see the class comment); otherwise queues it like {@link
   * #execute}. Only for callers that may be held up by the lane's work (the task and a burst after
   * it) and hold no lock the lane's tasks could need.
   */
  public void executeHere(Runnable task) {
    if (shutdown || owner.get() != IDLE || !queue.isEmpty() || !owner.compareAndSet(IDLE, CALLER)) {
      execute(task);
      return;
    }
    run(task);
    for (int ran = 1; ran < INLINE_BURST; ran++) {
      Runnable next = queue.poll();
      if (next == null) {
        owner.set(IDLE);
        if (shutdown) {
          LockSupport.unpark(thread); // it waits to end once the lane is idle
        }
        // A producer may have queued after the poll and seen CALLER: make sure someone runs it.
        if (!queue.isEmpty() && owner.compareAndSet(IDLE, THREAD)) {
          LockSupport.unpark(thread);
        }
        return;
      }
      run(next);
    }
    owner.set(THREAD); // a long burst: the lane's own thread takes over
    LockSupport.unpark(thread);
  }

  /** Runs {@code task} on {@code lane}'s caller if it is a {@link ThreadLane}, else queues it. */
  public static void executeHere(Executor lane, Runnable task) {
    if (lane instanceof ThreadLane threadLane) {
      threadLane.executeHere(task);
    } else {
      lane.execute(task);
    }
  }

  /** The lane's own thread (for tests). */
  Thread thread() {
    return thread;
  }

  /** Whether nothing runs or waits on the lane (for tests). */
  boolean idle() {
    return owner.get() == IDLE && queue.isEmpty();
  }

  /** Drops tasks queued from now on; the thread runs those queued already and ends. */
  public void shutdown() {
    shutdown = true;
    LockSupport.unpark(thread);
  }

  /**
   * Waits up to {@code timeoutNanos} for the thread to end after {@link #shutdown}, then interrupts
   * it. Returns whether it ended in time.
   */
  public boolean awaitEnd(long timeoutNanos) {
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
      return false;
    }
    return true;
  }

  private void work() {
    while (true) {
      // Wait until a producer hands the lane to this thread (or the lane shuts down).
      while (owner.get() != THREAD) {
        // Cleared on every round, so that a task that interrupted its thread cannot make park
        // return at once forever (a ThreadPoolExecutor clears it between tasks too).
        boolean interrupted = Thread.interrupted();
        if (shutdown && (interrupted || queue.isEmpty() && owner.get() == IDLE)) {
          return;
        }
        LockSupport.park(this);
      }
      runQueued();
    }
  }

  /**
   * Runs the queued tasks, then gives the lane up. Apart from {@link #work}, whose endless loop the
   * JIT compiles on the stack (OSR): a rare branch taken here recompiles this small method only.
   */
  private void runQueued() {
    for (Runnable task = queue.poll(); task != null; task = queue.poll()) {
      run(task);
    }
    owner.set(IDLE);
    // A producer that queued after the last poll saw THREAD and did not wake anyone.
    if (!queue.isEmpty()) {
      owner.compareAndSet(IDLE, THREAD);
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      uncaught.accept(name, e);
    }
  }

  @Override
  public String toString() {
    return "ThreadLane[" + name + "]";
  }
}
