package io.jangada.raft.storage.file;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.LogStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Benchmark of the file log (a program, not a test). Append + sync throughput and latency for
 * batches of 1, 32 and 256 entries of 116 bytes (the 16-byte key and 100-byte value of
 * BENCHMARK.md's workload); then the reopen time and heap of a 10-million-entry log. Run it with a
 * small heap to check the memory target:
 *
 * <pre>
 * mvn -B -ntp -pl raft-storage-file -am test-compile
 * MAVEN_OPTS=-Xmx256m mvn -B -ntp -pl raft-storage-file exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.jangada.raft.storage.file.LogBenchmark [-Dexec.args="sync|reopen N"]
 * </pre>
 *
 * Everything goes to fresh directories under {@code java.io.tmpdir}, deleted afterwards.
 */
public final class LogBenchmark {

  private static final int PAYLOAD = 116;
  private static final DataDirIdentity ID = DataDirIdentity.of("bench", "n1");

  private LogBenchmark() {}

  public static void main(String[] args) throws IOException {
    String mode = args.length > 0 ? args[0] : "all";
    long reopenEntries = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    System.out.println(
        "LogBenchmark java="
            + System.getProperty("java.version")
            + " maxHeap="
            + (Runtime.getRuntime().maxMemory() >> 20)
            + "MiB");
    if (mode.equals("all") || mode.equals("sync")) {
      syncBenchmark(1, 3000);
      syncBenchmark(32, 1500);
      syncBenchmark(256, 400);
      stateBenchmark(500);
    }
    if (mode.equals("all") || mode.equals("reopen")) {
      reopenBenchmark(reopenEntries);
    }
  }

  private static List<LogEntry> batch(long from, int size) {
    List<LogEntry> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      byte[] data = new byte[PAYLOAD];
      Arrays.fill(data, (byte) ('a' + (from + i) % 26));
      out.add(LogEntry.command(from + i, 1, Bytes.wrapUnsafe(data)));
    }
    return out;
  }

  private static void syncBenchmark(int batchSize, int batches) throws IOException {
    Path dir = Files.createTempDirectory("jangada-bench-sync");
    try (FileStorage storage = FileStorage.open(dir, ID)) {
      LogStorage log = storage.log();
      long next = 1;
      for (int i = 0; i < batches / 10; i++) { // warm-up
        log.append(batch(next, batchSize));
        log.sync();
        next += batchSize;
      }
      long[] latencies = new long[batches];
      long start = System.nanoTime();
      for (int i = 0; i < batches; i++) {
        List<LogEntry> b = batch(next, batchSize);
        long t0 = System.nanoTime();
        log.append(b);
        log.sync();
        latencies[i] = System.nanoTime() - t0;
        next += batchSize;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Arrays.sort(latencies);
      System.out.printf(
          "RESULT bench=append+sync batch=%d batches=%d entries_per_s=%.0f syncs_per_s=%.0f"
              + " p50_ms=%.3f p99_ms=%.3f%n",
          batchSize,
          batches,
          batches * (double) batchSize / seconds,
          batches / seconds,
          latencies[batches / 2] / 1e6,
          latencies[(int) (batches * 0.99)] / 1e6);
    } finally {
      CrashConsistencyTest.deleteTree(dir);
    }
  }

  private static void stateBenchmark(int saves) throws IOException {
    Path dir = Files.createTempDirectory("jangada-bench-state");
    try (FileStorage storage = FileStorage.open(dir, ID)) {
      long[] latencies = new long[saves];
      for (int i = 0; i < saves; i++) {
        HardState state = new HardState(1 + i / 10, Optional.of(new NodeId("n1")), i);
        long t0 = System.nanoTime();
        storage.state().save(state);
        latencies[i] = System.nanoTime() - t0;
      }
      Arrays.sort(latencies);
      System.out.printf(
          "RESULT bench=hardstate-save saves=%d p50_ms=%.3f p99_ms=%.3f%n",
          saves, latencies[saves / 2] / 1e6, latencies[(int) (saves * 0.99)] / 1e6);
    } finally {
      CrashConsistencyTest.deleteTree(dir);
    }
  }

  private static void reopenBenchmark(long entries) throws IOException {
    Path dir = Files.createTempDirectory("jangada-bench-reopen");
    try {
      long t0 = System.nanoTime();
      try (FileStorage storage = FileStorage.open(dir, ID)) {
        // A log without its term/vote file is refused at open (issue 12): save one first.
        storage.state().save(new HardState(1, Optional.empty(), 0));
        LogStorage log = storage.log();
        for (long next = 1; next <= entries; next += 4096) {
          log.append(batch(next, (int) Math.min(4096, entries - next + 1)));
          if ((next / 4096) % 64 == 0) {
            log.sync();
          }
        }
        log.sync();
      }
      System.out.printf(
          "write: %d entries in %.1f s (%d MiB on disk)%n",
          entries, (System.nanoTime() - t0) / 1e9, sizeOf(dir) >> 20);
      System.gc();
      long heapBefore = usedHeap();
      long t1 = System.nanoTime();
      try (FileStorage storage = FileStorage.open(dir, ID)) {
        double reopenSeconds = (System.nanoTime() - t1) / 1e9;
        LogStorage log = storage.log();
        System.gc();
        long heapAfter = usedHeap();
        // A read far back in the log and at its end, to show the index works.
        long mid = entries / 2;
        if (!log.entries(mid, mid + 1, Long.MAX_VALUE).get(0).equals(batch(mid, 1).get(0))) {
          throw new AssertionError("entry " + mid + " reads back wrong");
        }
        System.out.printf(
            "RESULT bench=reopen entries=%d last=%d reopen_s=%.2f heap_used_mib=%d"
                + " heap_before_open_mib=%d max_heap_mib=%d%n",
            entries,
            log.lastIndex(),
            reopenSeconds,
            heapAfter >> 20,
            heapBefore >> 20,
            Runtime.getRuntime().maxMemory() >> 20);
      }
    } finally {
      CrashConsistencyTest.deleteTree(dir);
    }
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long sizeOf(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
