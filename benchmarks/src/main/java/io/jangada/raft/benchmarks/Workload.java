package io.jangada.raft.benchmarks;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Bytes;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The reference workload of BENCHMARK.md: closed-loop clients, each with exactly one put in flight,
 * 16-byte unique keys ({@code "k"} + zero-padded op number) and 100-byte values (W4: 4 KiB). A put
 * goes through the {@code submit} function: the leader's {@code RaftNode.propose}, or {@code
 * RaftClient.submit} over gRPC.
 */
final class Workload {

  /** Latencies and throughput of one measured run. */
  record Result(
      int clients,
      long ops,
      int valueBytes,
      double opsPerSecond,
      double p50,
      double p99,
      double p999,
      double cpuMicrosPerOp,
      double allocBytesPerOp,
      java.util.Map<String, ThreadStats.Counters> threads) {

    /** Payload throughput (key + value) in MB/s (10^6 bytes). */
    double megabytesPerSecond() {
      return opsPerSecond * (KEY_BYTES + valueBytes) / 1e6;
    }

    String fields() {
      return String.format(
              java.util.Locale.ROOT,
              "clients=%d ops=%d value_bytes=%d ops_per_s=%.0f mb_per_s=%.2f p50_ms=%.3f p99_ms=%.3f"
                  + " p999_ms=%.3f p99_over_p50=%.2f cpu_us_per_op=%.1f alloc_bytes_per_op=%.0f",
              clients,
              ops,
              valueBytes,
              opsPerSecond,
              megabytesPerSecond(),
              p50,
              p99,
              p999,
              p99 / p50,
              cpuMicrosPerOp,
              allocBytesPerOp)
          + " "
          + String.join(" ", ThreadStats.fields(threads, ops));
    }

    /** CPU and context switches per write by group of threads, a table for standard error. */
    String threadTable() {
      return ThreadStats.table(threads, ops);
    }
  }

  static final int KEY_BYTES = 16;

  /** The writes of the last measured run. */
  Writes lastWrites() {
    return lastWrites;
  }

  /** Zero-padded digits after the {@code "k"} of a key. */
  private static final int KEY_DIGITS = KEY_BYTES - 1;

  private final Function<Bytes, CompletableFuture<?>> submit;
  private final byte[] value;
  private final AtomicLong nextOp = new AtomicLong();
  // The last measured run's writes, in the order issued (for --trace-writes).
  private volatile Writes lastWrites;

  /**
   * The measured writes of a run: start (System.nanoTime()), latency (ns) and log index (0 when the
   * result does not say) of each.
   */
  record Writes(long[] begins, long[] latencies, long[] indexes) {
    /**
     * Writes "start_epoch_us latency_us" per write; {@code epochMicros} is the wall clock at {@code
     * nanoAtEpoch} on {@link System#nanoTime()}'s scale.
     */
    void writeTo(java.nio.file.Path file, long epochMicros, long nanoAtEpoch)
        throws java.io.IOException {
      StringBuilder out = new StringBuilder(begins.length * 24);
      for (int i = 0; i < begins.length; i++) {
        out.append(epochMicros + (begins[i] - nanoAtEpoch) / 1000)
            .append(' ')
            .append(latencies[i] / 1000)
            .append('\n');
      }
      java.nio.file.Files.writeString(file, out);
    }
  }

  /** Puts through {@code leader.propose}, in process. */
  Workload(RaftNode leader, int valueBytes) {
    this(leader::propose, valueBytes);
  }

  /** Puts through {@code submit}, which completes when the put was applied. */
  Workload(Function<Bytes, CompletableFuture<?>> submit, int valueBytes) {
    this.submit = submit;
    this.value = "v".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII);
  }

  /** Runs {@code ops} puts with {@code clients} closed-loop clients; records latencies if asked. */
  Result run(int clients, long ops, boolean measure) throws InterruptedException {
    return run(clients, ops, measure, 0);
  }

  /**
   * As {@link #run(int, long, boolean)}; with {@code slowest > 0} prints the {@code slowest}
   * slowest writes (start in ms since the run's start, latency) to standard error, to tell what
   * sets the tail (periodic: ticks; clustered: a pause).
   */
  Result run(int clients, long ops, boolean measure, int slowest) throws InterruptedException {
    long[] latencies = new long[(int) ops];
    long[] begins = new long[(int) ops];
    long[] indexes = new long[(int) ops];
    AtomicLong issued = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(clients);
    ThreadStats threadsStart = ThreadStats.now();
    long cpuStart = processCpuNanos();
    long allocStart = allocatedBytes();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      next(issued, ops, latencies, begins, indexes, failures, firstFailure, done);
    }
    if (!done.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException("workload did not finish");
    }
    long elapsed = System.nanoTime() - start;
    long cpu = processCpuNanos() - cpuStart;
    long allocated = allocatedBytes() - allocStart;
    java.util.Map<String, ThreadStats.Counters> threads = ThreadStats.now().since(threadsStart);
    if (failures.get() > 0) {
      throw new IllegalStateException(
          failures.get() + " proposals failed; the first with: " + firstFailure.get(),
          firstFailure.get());
    }
    if (!measure) {
      return null;
    }
    if (slowest > 0) {
      printSlowest(latencies, begins, start, slowest);
    }
    lastWrites = new Writes(begins, latencies.clone(), indexes);
    Arrays.sort(latencies);
    return new Result(
        clients,
        ops,
        value.length,
        ops / (elapsed / 1e9),
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        percentile(latencies, 0.999),
        cpu / 1e3 / ops,
        allocStart < 0 ? -1 : (double) allocated / ops,
        threads);
  }

  /**
   * CPU time of the whole process (every node, the clients and the JVM's own threads), a cost per
   * write that does not depend on how busy or fast the machine is.
   */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * Heap bytes allocated so far by every thread of the process (all nodes, gRPC, the clients), or a
   * negative number if the JVM cannot tell; divided by the committed writes it is the allocation
   * cost per write (benchmarks/PROFILE.md).
   */
  private static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
        && threads.isThreadAllocatedMemorySupported()
        && threads.isThreadAllocatedMemoryEnabled()) {
      return threads.getTotalThreadAllocatedBytes();
    }
    return -1;
  }

  private void next(
      AtomicLong issued,
      long ops,
      long[] latencies,
      long[] begins,
      long[] indexes,
      AtomicLong failures,
      AtomicReference<Throwable> firstFailure,
      CountDownLatch done) {
    long slot = issued.getAndIncrement();
    if (slot >= ops) {
      done.countDown();
      return;
    }
    byte[] key = key(nextOp.getAndIncrement());
    long begin = System.nanoTime();
    begins[(int) slot] = begin;
    CompletableFuture<?> future = submit.apply(MapStateMachine.put(key, value));
    future.whenComplete(
        (ok, error) -> {
          latencies[(int) slot] = System.nanoTime() - begin;
          if (ok instanceof Committed committed) {
            indexes[(int) slot] = committed.index();
          }
          if (error != null) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, error);
          }
          next(issued, ops, latencies, begins, indexes, failures, firstFailure, done);
        });
  }

  /**
   * The key of op {@code n}: the ASCII bytes of {@code String.format("k%015d", n)} ({@code "k"} and
   * {@code n} in decimal, zero-padded to at least 15 digits), built without the formatter, whose
   * parsing and boxing were about a fifth of the benchmark process's allocation (PROFILE.md).
   */
  static byte[] key(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("op number " + n + " < 0");
    }
    int digits = 1;
    for (long rest = n / 10; rest > 0; rest /= 10) {
      digits++;
    }
    byte[] key = new byte[1 + Math.max(KEY_DIGITS, digits)];
    key[0] = 'k';
    long rest = n;
    for (int i = key.length - 1; i > 0; i--) {
      key[i] = (byte) ('0' + rest % 10);
      rest /= 10;
    }
    return key;
  }

  private static void printSlowest(long[] latencies, long[] begins, long start, int slowest) {
    Integer[] order = new Integer[latencies.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(latencies[b], latencies[a]));
    StringBuilder out = new StringBuilder("slowest writes (start ms, latency ms):");
    for (int i = 0; i < Math.min(slowest, order.length); i++) {
      int op = order[i];
      out.append(
          String.format(
              java.util.Locale.ROOT,
              " %.1f/%.2f",
              (begins[op] - start) / 1e6,
              latencies[op] / 1e6));
    }
    System.err.println(out);
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }
}
