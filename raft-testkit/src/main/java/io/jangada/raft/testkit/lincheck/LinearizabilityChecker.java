package io.jangada.raft.testkit.lincheck;

import io.jangada.raft.testkit.lincheck.CheckResult.PartitionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks whether a {@link History} is linearizable with respect to a {@link Model}.
 *
 * <p>Failed operations are dropped (they never took effect), the rest are split by {@link
 * Model#partition} and each partition is searched separately (see the package documentation for the
 * algorithm), sequentially or on a small pool of threads. A partition whose search does not finish
 * within the time budget is {@link Verdict#UNKNOWN}; so is a partition left unchecked because
 * another one was already found not linearizable (unless {@link #checkingEveryPartition()}).
 *
 * <p>Cost: histories of ok and failed operations check fast (a 10,000-operation single-key register
 * history with 8 clients takes well under a second). Each info operation that never took effect
 * stays a candidate until the end of the history, so many of them (more than about 1% of a long
 * history) can make the search slow; give the check a budget and treat {@code UNKNOWN} as a
 * failure. Partitioned models (a map checked per key) keep each search small.
 *
 * <p>Immutable and thread-safe; each {@link #check} call creates (and shuts down) its own threads.
 * Memory grows with the number of states the search visits; the memo stops growing at {@link
 * #withMaxMemoEntries a bound} (the search stays correct, only slower).
 */
public final class LinearizabilityChecker {
  private static final int DEFAULT_MAX_MEMO_ENTRIES = 2_000_000;
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final int threads;
  private final boolean stopAtFirstViolation;
  private final int maxMemoEntries;

  private LinearizabilityChecker(int threads, boolean stopAtFirstViolation, int maxMemoEntries) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1: " + threads);
    }
    if (maxMemoEntries < 0) {
      throw new IllegalArgumentException("maxMemoEntries must be >= 0: " + maxMemoEntries);
    }
    this.threads = threads;
    this.stopAtFirstViolation = stopAtFirstViolation;
    this.maxMemoEntries = maxMemoEntries;
  }

  /** A checker that searches the partitions one after another on the calling thread. */
  public static LinearizabilityChecker sequential() {
    return new LinearizabilityChecker(1, true, DEFAULT_MAX_MEMO_ENTRIES);
  }

  /**
   * A checker that searches up to {@code threads} partitions at once on its own daemon threads (the
   * calling thread waits). A single-partition history gains nothing from this.
   */
  public static LinearizabilityChecker parallel(int threads) {
    return new LinearizabilityChecker(threads, true, DEFAULT_MAX_MEMO_ENTRIES);
  }

  /**
   * A copy that searches every partition even after one is found not linearizable, to report all
   * violations (slower on bad histories).
   */
  public LinearizabilityChecker checkingEveryPartition() {
    return new LinearizabilityChecker(threads, false, maxMemoEntries);
  }

  /** A copy whose memo holds at most {@code entries} states per partition (default 2,000,000). */
  public LinearizabilityChecker withMaxMemoEntries(int entries) {
    return new LinearizabilityChecker(threads, stopAtFirstViolation, entries);
  }

  /**
   * Checks {@code history} against {@code model}, spending at most about {@code budget} of wall
   * time (the search looks at the clock every few hundred steps). Blocks until done.
   *
   * @throws IllegalArgumentException (or any runtime exception) thrown by the model
   */
  public <S, I, O> CheckResult<I, O> check(
      History<I, O> history, Model<S, I, O> model, Duration budget) {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(budget, "budget");
    long start = System.nanoTime();
    long deadline = start + saturatedNanos(budget);
    Map<Object, List<Operation<I, O>>> parts = history.splitWithoutFailed(model::partition);
    List<Object> keys = new ArrayList<>(parts.keySet());
    AtomicBoolean stop = new AtomicBoolean();
    List<PartitionResult<I, O>> results;
    if (threads == 1 || keys.size() <= 1) {
      results = new ArrayList<>();
      for (Object key : keys) {
        results.add(
            stop.get()
                ? notChecked(key, parts.get(key))
                : checkOne(model, key, parts.get(key), deadline, stop));
      }
    } else {
      results = checkInParallel(model, keys, parts, deadline, stop);
    }
    return new CheckResult<>(
        overall(results), results, Duration.ofNanos(System.nanoTime() - start));
  }

  private <S, I, O> List<PartitionResult<I, O>> checkInParallel(
      Model<S, I, O> model,
      List<Object> keys,
      Map<Object, List<Operation<I, O>>> parts,
      long deadline,
      AtomicBoolean stop) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, keys.size()), daemons());
    try {
      // Largest partitions first, so that one big partition does not start last.
      List<Object> bySize = new ArrayList<>(keys);
      bySize.sort(Comparator.comparingInt((Object k) -> parts.get(k).size()).reversed());
      Map<Object, Future<PartitionResult<I, O>>> futures = new HashMap<>();
      for (Object key : bySize) {
        List<Operation<I, O>> ops = parts.get(key);
        futures.put(
            key,
            pool.submit(
                () ->
                    stop.get() ? notChecked(key, ops) : checkOne(model, key, ops, deadline, stop)));
      }
      List<PartitionResult<I, O>> results = new ArrayList<>();
      for (Object key : keys) {
        results.add(await(futures.get(key)));
      }
      return results;
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  private <S, I, O> PartitionResult<I, O> checkOne(
      Model<S, I, O> model,
      Object key,
      List<Operation<I, O>> ops,
      long deadline,
      AtomicBoolean stop) {
    PartitionResult<I, O> result =
        new Search<>(model, key, ops, deadline, stop::get, maxMemoEntries).run();
    if (result.verdict() == Verdict.NOT_LINEARIZABLE && stopAtFirstViolation) {
      stop.set(true);
    }
    return result;
  }

  private static <I, O> PartitionResult<I, O> notChecked(
      Object key, List<Operation<I, O>> operations) {
    return new PartitionResult<>(
        key,
        Verdict.UNKNOWN,
        operations.size(),
        0,
        Duration.ZERO,
        "partition " + key + ": not checked (another partition is not linearizable)",
        Optional.empty());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static Verdict overall(List<? extends PartitionResult<?, ?>> results) {
    Verdict verdict = Verdict.LINEARIZABLE;
    for (PartitionResult<?, ?> result : results) {
      if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
        return Verdict.NOT_LINEARIZABLE;
      }
      if (result.verdict() == Verdict.UNKNOWN) {
        verdict = Verdict.UNKNOWN;
      }
    }
    return verdict;
  }

  private static long saturatedNanos(Duration budget) {
    if (budget.isNegative()) {
      return 0;
    }
    try {
      return Math.min(budget.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  private static ThreadFactory daemons() {
    return runnable -> {
      Thread thread = new Thread(runnable, "lincheck-" + THREAD_IDS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
