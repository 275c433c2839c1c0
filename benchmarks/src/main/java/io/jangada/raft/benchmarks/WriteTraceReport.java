package io.jangada.raft.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Turns a {@link WriteTrace} into the time each stage of every write took (standard error): a table
 * of percentiles per stage, which stage made each slow write slow (the one on the write's critical
 * path that exceeded its own median the most), how many slow writes overlapped a GC pause, and the
 * slowest writes stage by stage.
 *
 * <p>A write's critical path: the caller's propose until the leader sent the entry, then the
 * quorum's last member — either the leader's own sync (hand-off to its writer, fsync) or one
 * follower (network out, hand-off to its writer, fsync, sending the acknowledgement, network back)
 * — then from the commit until the leader's apply thread started applying the entry (the step of
 * the acknowledgement, the hand-off to the apply thread), then until the caller saw the result (the
 * apply, the hand-off to the callback executor).
 */
final class WriteTraceReport {

  /** Stage names, in critical-path order; each write has a value or NaN for each. */
  static final List<String> STAGES =
      List.of(
          "propose>sent",
          "leader>sync-start",
          "leader-fsync",
          "net-out",
          "follower>sync-start",
          "follower-fsync",
          "sync>ack-sent",
          "net-back",
          "commit>apply-start",
          "apply-start>caller");

  private WriteTraceReport() {}

  /** GC pauses reported by the JVM while the run went on: [start, end] in System.nanoTime(). */
  static final class GcPauses {
    private final List<long[]> pauses = new ArrayList<>();
    private final long nanosAtUptimeZero;

    GcPauses() {
      long uptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
      nanosAtUptimeZero = System.nanoTime() - uptimeMillis * 1_000_000;
      NotificationListener listener =
          (notification, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                notification.getType())) {
              return;
            }
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            if (info.getGcName().contains("Concurrent") && info.getGcInfo().getDuration() == 0) {
              return; // a concurrent phase, not a pause
            }
            synchronized (pauses) {
              pauses.add(
                  new long[] {
                    nanosAtUptimeZero + info.getGcInfo().getStartTime() * 1_000_000,
                    nanosAtUptimeZero + info.getGcInfo().getEndTime() * 1_000_000
                  });
            }
          };
      for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (bean instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(listener, null, null);
        }
      }
    }

    /** The longest GC pause overlapping [from, to] (1 ms of slack: pauses come in ms), or 0. */
    double overlapMillis(long from, long to) {
      double longest = 0;
      synchronized (pauses) {
        for (long[] pause : pauses) {
          if (pause[0] <= to + 1_000_000 && pause[1] >= from - 1_000_000) {
            longest = Math.max(longest, Math.max(1, pause[1] - pause[0]) / 1e6);
          }
        }
      }
      return longest;
    }

    int count() {
      synchronized (pauses) {
        return pauses.size();
      }
    }
  }

  /**
   * The report for the measured writes: {@code begins} and {@code latencies} (nanoseconds) and the
   * log {@code indexes} of each write, in the order issued.
   */
  static String report(
      WriteTrace trace,
      int leader,
      long[] begins,
      long[] latencies,
      long[] indexes,
      GcPauses gc,
      JitSampler jit,
      int slowest) {
    int writes = begins.length;
    double[][] stages = new double[writes][];
    String[] critical = new String[writes];
    for (int w = 0; w < writes; w++) {
      stages[w] = stages(trace, leader, begins[w], begins[w] + latencies[w], indexes[w]);
    }
    double[] medians = new double[STAGES.size()];
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "write stages (ms, %d writes, critical path: the quorum's last member):%n"
                + "  %-20s %8s %8s %8s %8s %8s%n",
            writes,
            "stage",
            "p50",
            "p90",
            "p99",
            "p99.9",
            "max"));
    out.append(row("total", column(latencies)));
    for (int s = 0; s < STAGES.size(); s++) {
      double[] values = new double[writes];
      for (int w = 0; w < writes; w++) {
        values[w] = stages[w][s];
      }
      double[] sorted = finite(values);
      medians[s] = sorted.length == 0 ? Double.NaN : percentile(sorted, 0.5);
      out.append(row(STAGES.get(s), sorted));
    }
    double[] quorumFsync = new double[writes];
    for (int w = 0; w < writes; w++) {
      quorumFsync[w] = quorumFsync(stages[w]);
    }
    out.append(row("quorum-fsync", finite(quorumFsync)));
    // Which stage made each slow write slow.
    long[] sortedLatencies = latencies.clone();
    Arrays.sort(sortedLatencies);
    long p99 = sortedLatencies[Math.max(0, (int) Math.ceil(0.99 * writes) - 1)];
    Map<String, Integer> blame = new LinkedHashMap<>();
    int slow = 0;
    int withGc = 0;
    int jitBusy = 0;
    int slowJitBusy = 0;
    double[] jitShare = new double[writes];
    for (int w = 0; w < writes; w++) {
      double pause = gc.overlapMillis(begins[w], begins[w] + latencies[w]);
      critical[w] = culprit(stages[w], medians);
      jitShare[w] = (double) jit.jitNanos(begins[w], begins[w] + latencies[w]) / latencies[w];
      boolean busy = jitShare[w] >= 0.5;
      if (busy) {
        jitBusy++;
      }
      if (latencies[w] < p99) {
        continue;
      }
      slow++;
      if (pause > 0) {
        withGc++;
      }
      if (busy) {
        slowJitBusy++;
      }
      blame.merge(critical[w], 1, Integer::sum);
    }
    out.append(
        String.format(
            Locale.ROOT,
            "writes >= p99 (%.3f ms): %d; %d overlapped a GC pause (%d pauses in the run); %d ran"
                + " while the JIT used >= half a core (%.1f %% of all writes did); the critical"
                + " stage most over its median:",
            p99 / 1e6,
            slow,
            withGc,
            gc.count(),
            slowJitBusy,
            100.0 * jitBusy / Math.max(1, writes)));
    blame.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .forEach(e -> out.append(' ').append(e.getKey()).append('=').append(e.getValue()));
    out.append(System.lineSeparator());
    if (slowest > 0) {
      Integer[] order = new Integer[writes];
      for (int w = 0; w < writes; w++) {
        order[w] = w;
      }
      Arrays.sort(order, (a, b) -> Long.compare(latencies[b], latencies[a]));
      out.append("slowest writes: start_ms total_ms | ");
      out.append(String.join(" ", STAGES))
          .append(" | gc_ms jit_cores culprit")
          .append(System.lineSeparator());
      long start = begins.length == 0 ? 0 : begins[0];
      for (int i = 0; i < Math.min(slowest, writes); i++) {
        int w = order[i];
        out.append(
            String.format(
                Locale.ROOT, "  %.1f %.3f |", (begins[w] - start) / 1e6, latencies[w] / 1e6));
        for (double value : stages[w]) {
          out.append(Double.isNaN(value) ? " -" : String.format(Locale.ROOT, " %.3f", value));
        }
        out.append(
            String.format(
                Locale.ROOT,
                " | %.1f %.2f %s%n",
                gc.overlapMillis(begins[w], begins[w] + latencies[w]),
                jitShare[w],
                critical[w]));
      }
    }
    return out.toString();
  }

  /**
   * The stages of one write (ms), NaN where not on its critical path or not recorded. The follower
   * stages are those of the follower whose acknowledgement completed the quorum, the leader's if
   * its own sync did.
   */
  static double[] stages(WriteTrace trace, int leader, long begin, long end, long index) {
    double[] s = new double[STAGES.size()];
    Arrays.fill(s, Double.NaN);
    int nodes = trace.ids().size();
    // When each member's copy counted: the leader's at its sync's end, a follower's on receipt of
    // its acknowledgement. The quorum is complete at the majority-th earliest.
    WriteTrace.Span leaderSync = firstStartingAfter(trace.syncs(leader), begin);
    long[] counted = new long[nodes];
    long firstSent = Long.MAX_VALUE;
    for (int n = 0; n < nodes; n++) {
      if (n == leader) {
        counted[n] = leaderSync == null ? Long.MAX_VALUE : leaderSync.end();
      } else {
        long received = trace.time(WriteTrace.Kind.ACK_RECEIVED, n, index);
        counted[n] = received == 0 ? Long.MAX_VALUE : received;
        long sent = trace.time(WriteTrace.Kind.APPEND_SENT, n, index);
        if (sent != 0) {
          firstSent = Math.min(firstSent, sent);
        }
      }
    }
    long[] sorted = counted.clone();
    Arrays.sort(sorted);
    long commit = sorted[nodes / 2];
    if (commit == Long.MAX_VALUE) {
      return s;
    }
    int last = 0;
    while (counted[last] != commit) {
      last++;
    }
    if (last == leader) {
      s[1] = millis(leaderSync.start() - begin);
      s[2] = millis(leaderSync.nanos());
    } else {
      if (firstSent != Long.MAX_VALUE) {
        s[0] = millis(firstSent - begin);
      }
      long sent = trace.time(WriteTrace.Kind.APPEND_SENT, last, index);
      long received = trace.time(WriteTrace.Kind.APPEND_RECEIVED, last, index);
      long acked = trace.time(WriteTrace.Kind.ACK_SENT, last, index);
      WriteTrace.Span sync = lastEndingBefore(trace.syncs(last), acked);
      if (sent != 0 && received != 0) {
        s[3] = millis(received - sent);
      }
      if (sync != null && received != 0 && acked != 0) {
        s[4] = millis(sync.start() - received);
        s[5] = millis(sync.nanos());
        s[6] = millis(acked - sync.end());
      }
      if (acked != 0) {
        s[7] = millis(commit - acked);
      }
    }
    WriteTrace.Span apply = firstStartingAfter(trace.applies(leader), begin);
    if (apply != null && apply.start() <= end) {
      s[8] = millis(apply.start() - commit);
      s[9] = millis(end - apply.start());
    }
    return s;
  }

  /** The fsync on the critical path (the leader's or the quorum follower's), NaN if none. */
  private static double quorumFsync(double[] stages) {
    return Double.isNaN(stages[2]) ? stages[5] : stages[2];
  }

  /** The critical stage that exceeded its median by the most. */
  private static String culprit(double[] stages, double[] medians) {
    String worst = "unrecorded";
    double most = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < stages.length; s++) {
      if (!Double.isNaN(stages[s]) && !Double.isNaN(medians[s])) {
        double excess = stages[s] - medians[s];
        if (excess > most) {
          most = excess;
          worst = STAGES.get(s);
        }
      }
    }
    return worst;
  }

  private static WriteTrace.Span firstStartingAfter(List<WriteTrace.Span> spans, long time) {
    for (WriteTrace.Span span : spans) {
      if (span.entries() > 0 && span.start() >= time) {
        return span;
      }
    }
    return null;
  }

  private static WriteTrace.Span lastEndingBefore(List<WriteTrace.Span> spans, long time) {
    WriteTrace.Span found = null;
    for (WriteTrace.Span span : spans) {
      if (span.end() > time) {
        break;
      }
      if (span.entries() > 0) {
        found = span;
      }
    }
    return found;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static double[] column(long[] nanos) {
    double[] values = new double[nanos.length];
    for (int i = 0; i < nanos.length; i++) {
      values[i] = nanos[i] / 1e6;
    }
    Arrays.sort(values);
    return values;
  }

  private static double[] finite(double[] values) {
    double[] kept = Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    Arrays.sort(kept);
    return kept;
  }

  private static String row(String name, double[] sorted) {
    if (sorted.length == 0) {
      return String.format(Locale.ROOT, "  %-20s %8s%n", name, "-");
    }
    return String.format(
        Locale.ROOT,
        "  %-20s %8.3f %8.3f %8.3f %8.3f %8.3f  (%d)%n",
        name,
        percentile(sorted, 0.5),
        percentile(sorted, 0.9),
        percentile(sorted, 0.99),
        percentile(sorted, 0.999),
        sorted[sorted.length - 1],
        sorted.length);
  }

  private static double percentile(double[] sorted, double p) {
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)];
  }
}
