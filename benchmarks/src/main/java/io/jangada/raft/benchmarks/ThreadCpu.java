package io.jangada.raft.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this process's threads, grouped by what they do, read from Linux's {@code
 * /proc/self/task} (all threads, the JIT compiler's and the GC's included, which Java's own thread
 * beans do not show). Used by {@code --count-messages}: in a fresh JVM the C2 compiler is still
 * busy during the measured phase and may take a large share of {@code cpu_us_per_op}, which says
 * nothing about what a write costs once the code is compiled. Resolution: the kernel's clock tick
 * (10 ms); a thread that exits between two snapshots loses what it used since the first.
 */
final class ThreadCpu {

  /** Clock ticks per second of {@code /proc/.../stat} (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  private final Map<String, Thread> byTid;

  private record Thread(String group, long ticks) {}

  private ThreadCpu(Map<String, Thread> byTid) {
    this.byTid = byTid;
  }

  /** The CPU used so far by each live thread; empty where {@code /proc} is not available. */
  static ThreadCpu now() {
    Map<String, Thread> threads = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return new ThreadCpu(threads);
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
      for (Path dir : dirs) {
        try {
          String comm = Files.readString(dir.resolve("comm")).strip();
          String stat = Files.readString(dir.resolve("stat"));
          // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          threads.put(dir.getFileName().toString(), new Thread(group(comm), ticks));
        } catch (IOException | RuntimeException e) {
          // the thread exited meanwhile
        }
      }
    } catch (IOException e) {
      // no per-thread figures
    }
    return new ThreadCpu(threads);
  }

  /**
   * CPU seconds per group used between {@code earlier} and this snapshot (threads started since
   * count from zero), by group name.
   */
  Map<String, Double> secondsSince(ThreadCpu earlier) {
    Map<String, Double> seconds = new TreeMap<>();
    byTid.forEach(
        (tid, now) -> {
          Thread before = earlier.byTid.get(tid);
          long ticks = now.ticks - (before == null ? 0 : before.ticks);
          seconds.merge(now.group, ticks / TICKS_PER_SECOND, Double::sum);
        });
    return seconds;
  }

  /** A group for a thread name (Linux keeps its first 15 characters). */
  static String group(String name) {
    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("VM Thread")) {
      return "gc";
    }
    if (name.startsWith("grpc-")) {
      return "netty";
    }
    if (name.startsWith("jangada-grpc")) {
      return "grpcexec";
    }
    if (name.startsWith("jangada-loop")) {
      return "loop";
    }
    if (name.startsWith("jangada-log")) {
      return "logwriter";
    }
    if (name.startsWith("jangada-apply")) {
      return "applier";
    }
    if (name.startsWith("ForkJoinPool")) {
      return "callbacks";
    }
    return "other";
  }
}
