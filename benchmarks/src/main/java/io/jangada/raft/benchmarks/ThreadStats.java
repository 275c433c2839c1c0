package io.jangada.raft.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time (user and system) and context switches of every thread of this process, read from
 * Linux's {@code /proc/self/task}: also the JVM's own threads (JIT compilers, GC), which {@code
 * ThreadMXBean} does not show. The difference of two snapshots, grouped by thread name with node
 * ids and numbers removed, tells where a run's CPU went and how many times threads went to sleep
 * ({@code voluntary_ctxt_switches}: mostly parks, i.e. wake-ups needed later) per write. Threads
 * that ended between the snapshots are missing, so compare runs whose thread set is stable (the
 * measured phase of a run). Empty on systems without {@code /proc}.
 */
final class ThreadStats {

  /** Clock ticks per second of {@code /proc/.../stat}'s utime and stime (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  /**
   * One thread's counters; {@code waitNanos} is the time it was runnable but waited for a CPU
   * ({@code /proc/.../schedstat}, second field: the scheduler's run-queue delay).
   */
  record Counters(
      String name,
      long userTicks,
      long systemTicks,
      long voluntary,
      long involuntary,
      long waitNanos) {
    Counters minus(Counters earlier) {
      return new Counters(
          name,
          userTicks - earlier.userTicks,
          systemTicks - earlier.systemTicks,
          voluntary - earlier.voluntary,
          involuntary - earlier.involuntary,
          waitNanos - earlier.waitNanos);
    }

    Counters plus(Counters other) {
      return new Counters(
          name,
          userTicks + other.userTicks,
          systemTicks + other.systemTicks,
          voluntary + other.voluntary,
          involuntary + other.involuntary,
          waitNanos + other.waitNanos);
    }
  }

  private final Map<String, Counters> byThread;

  private ThreadStats(Map<String, Counters> byThread) {
    this.byThread = byThread;
  }

  /** The counters of every live thread now. */
  static ThreadStats now() {
    Map<String, Counters> threads = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return new ThreadStats(threads);
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
      for (Path dir : dirs) {
        Counters counters = read(dir);
        if (counters != null) {
          threads.put(dir.getFileName().toString(), counters);
        }
      }
    } catch (IOException e) {
      // a best-effort diagnostic
    }
    return new ThreadStats(threads);
  }

  private static Counters read(Path task) {
    try {
      String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      String name = stat.substring(open + 1, close);
      // Fields after the name, from field 3 (state): utime is field 14, stime field 15.
      String[] rest = stat.substring(close + 2).split(" ");
      long user = Long.parseLong(rest[11]);
      long system = Long.parseLong(rest[12]);
      long voluntary = 0;
      long involuntary = 0;
      for (String line : Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("voluntary_ctxt_switches:")) {
          voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
          involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return new Counters(name, user, system, voluntary, involuntary, runQueueWait(task));
    } catch (IOException | RuntimeException e) {
      return null; // the thread ended meanwhile
    }
  }

  /** Nanoseconds {@code task} waited runnable for a CPU, 0 if the kernel does not say. */
  private static long runQueueWait(Path task) {
    try {
      String[] schedstat =
          Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII).trim().split(" ");
      return schedstat.length >= 2 ? Long.parseLong(schedstat[1]) : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * What each thread that lives in both snapshots did since {@code earlier}, summed per group of
   * threads (the name without digits and node ids, e.g. {@code jangada-loop-}).
   */
  Map<String, Counters> since(ThreadStats earlier) {
    Map<String, Counters> groups = new TreeMap<>();
    for (Map.Entry<String, Counters> e : byThread.entrySet()) {
      Counters before = earlier.byThread.get(e.getKey());
      Counters delta = before == null ? e.getValue() : e.getValue().minus(before);
      String group = group(e.getValue().name());
      groups.merge(group, new Counters(group, 0, 0, 0, 0, 0).plus(delta), (a, b) -> a.plus(b));
    }
    return groups;
  }

  /** A thread's group: its name with node ids ({@code n1}) and numbers removed. */
  static String group(String name) {
    return name.replaceAll("-n\\d+$", "-").replaceAll("\\d+", "#");
  }

  /** The sums over all groups. */
  static Counters total(Map<String, Counters> groups) {
    Counters sum = new Counters("total", 0, 0, 0, 0, 0);
    for (Counters c : groups.values()) {
      sum = sum.plus(c);
    }
    return sum;
  }

  /**
   * The {@code RESULT} fields for {@code ops} writes: user and system CPU in microseconds, the part
   * of it spent by the JIT compilers and by the garbage collector's threads, and voluntary (a
   * thread went to sleep: a wake-up is needed later) and involuntary context switches, per write;
   * and how long the process's threads waited runnable for a CPU per write (all threads summed: the
   * machine's share of a write's hand-offs, which grows with its load).
   */
  static List<String> fields(Map<String, Counters> groups, long ops) {
    Counters total = total(groups);
    List<String> fields = new ArrayList<>();
    fields.add(format("cpu_user_us_per_op=%.1f", micros(total.userTicks()) / ops));
    fields.add(format("cpu_sys_us_per_op=%.1f", micros(total.systemTicks()) / ops));
    fields.add(format("cpu_jit_us_per_op=%.1f", cpuMicros(groups, "C# Compiler") / ops));
    fields.add(format("cpu_gc_us_per_op=%.1f", micros(gcTicks(groups)) / ops));
    fields.add(format("vcsw_per_op=%.2f", (double) total.voluntary() / ops));
    fields.add(format("ivcsw_per_op=%.2f", (double) total.involuntary() / ops));
    fields.add(format("runq_wait_us_per_op=%.1f", total.waitNanos() / 1e3 / ops));
    return fields;
  }

  /** CPU microseconds (user and system) of the groups whose name starts with {@code prefix}. */
  static double cpuMicros(Map<String, Counters> groups, String prefix) {
    return micros(ticksOf(groups, prefix));
  }

  /** CPU ticks (user and system) of the groups whose name starts with {@code prefix}. */
  private static long ticksOf(Map<String, Counters> groups, String prefix) {
    long ticks = 0;
    for (Counters c : groups.values()) {
      if (c.name().startsWith(prefix)) {
        ticks += c.userTicks() + c.systemTicks();
      }
    }
    return ticks;
  }

  /** CPU ticks of HotSpot's G1 threads (workers "GC Thread#N", "G1 ..."; "VM Thread" not). */
  private static long gcTicks(Map<String, Counters> groups) {
    return ticksOf(groups, "GC Thread") + ticksOf(groups, "G# ");
  }

  /** A table of the groups, largest CPU first, per write (for standard error). */
  static String table(Map<String, Counters> groups, long ops) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-24s %10s %10s %10s %10s %10s%n",
            "threads",
            "user_us/op",
            "sys_us/op",
            "vcsw/op",
            "ivcsw/op",
            "runq_us/op"));
    groups.values().stream()
        .filter(c -> c.userTicks() + c.systemTicks() + c.voluntary() > 0)
        .sorted(
            (a, b) ->
                Long.compare(b.userTicks() + b.systemTicks(), a.userTicks() + a.systemTicks()))
        .forEach(
            c ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "%-24s %10.1f %10.1f %10.2f %10.2f %10.1f%n",
                        c.name(),
                        micros(c.userTicks()) / ops,
                        micros(c.systemTicks()) / ops,
                        (double) c.voluntary() / ops,
                        (double) c.involuntary() / ops,
                        c.waitNanos() / 1e3 / ops)));
    return out.toString();
  }

  private static double micros(long ticks) {
    return ticks / TICKS_PER_SECOND * 1e6;
  }

  private static String format(String pattern, double value) {
    return String.format(Locale.ROOT, pattern, value);
  }
}
