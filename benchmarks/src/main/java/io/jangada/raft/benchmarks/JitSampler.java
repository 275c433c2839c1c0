package io.jangada.raft.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples the CPU time of HotSpot's JIT compiler threads every {@value #PERIOD_MILLIS} ms (from
 * {@code /proc/self/task/<tid>/schedstat}, nanosecond resolution) while a traced run goes on, so
 * that {@link WriteTraceReport} can tell whether a slow write ran while a compiler thread held one
 * of the machine's cores. Costs two small file reads per sample. Empty without {@code /proc}.
 */
final class JitSampler implements AutoCloseable {

  static final int PERIOD_MILLIS = 10;

  private final List<long[]> samples = new ArrayList<>(); // {nanoTime, cumulative JIT CPU ns}
  private final Thread thread;
  private volatile boolean stopped;

  JitSampler() {
    thread = new Thread(this::run, "bench-jit-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    List<Path> compilers = compilerThreads();
    int round = 0;
    while (!stopped) {
      if (++round % 200 == 0) {
        compilers = compilerThreads(); // HotSpot starts and stops compiler threads as needed
      }
      long cpu = 0;
      for (Path task : compilers) {
        cpu += runNanos(task);
      }
      synchronized (samples) {
        samples.add(new long[] {System.nanoTime(), cpu});
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS));
    }
  }

  /**
   * JIT CPU nanoseconds during [from, to], from the samples around it (each sample interval counted
   * in proportion to its overlap; a compiler thread that started or ended between two samples is
   * missed).
   */
  long jitNanos(long from, long to) {
    double total = 0;
    synchronized (samples) {
      for (int i = 1; i < samples.size(); i++) {
        long[] a = samples.get(i - 1);
        long[] b = samples.get(i);
        long overlap = Math.min(b[0], to) - Math.max(a[0], from);
        if (overlap > 0 && b[0] > a[0] && b[1] >= a[1]) {
          total += (double) (b[1] - a[1]) * overlap / (b[0] - a[0]);
        }
      }
    }
    return (long) total;
  }

  @Override
  public void close() {
    stopped = true;
    LockSupport.unpark(thread);
  }

  private static List<Path> compilerThreads() {
    List<Path> found = new ArrayList<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return found;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
      for (Path dir : dirs) {
        try {
          String name = Files.readString(dir.resolve("comm"), StandardCharsets.US_ASCII);
          if (name.contains("CompilerThre")) {
            found.add(dir);
          }
        } catch (IOException | RuntimeException ended) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // a best-effort diagnostic
    }
    return found;
  }

  private static long runNanos(Path task) {
    try {
      String schedstat = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII);
      return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
    } catch (IOException | RuntimeException e) {
      return 0; // ended; its CPU falls out of the sum, which the overlap check skips
    }
  }
}
