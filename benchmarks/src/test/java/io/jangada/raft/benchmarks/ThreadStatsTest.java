package io.jangada.raft.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ThreadStatsTest {

  @Test
  void groupsDropNodeIdsAndNumbers() {
    assertThat(ThreadStats.group("jangada-loop-n1")).isEqualTo("jangada-loop-");
    assertThat(ThreadStats.group("jangada-log-n12")).isEqualTo("jangada-log-");
    assertThat(ThreadStats.group("C2 CompilerThre")).isEqualTo("C# CompilerThre");
    assertThat(ThreadStats.group("grpc-default-worker-ELG-3-2"))
        .isEqualTo("grpc-default-worker-ELG-#-#");
  }

  @Test
  void fieldsArePerWriteAndSplitJitAndGcAndWaitForCpu() {
    Map<String, ThreadStats.Counters> groups = new TreeMap<>();
    // 100 ticks per second: 10 ticks = 100 ms.
    groups.put("jangada-loop-", new ThreadStats.Counters("jangada-loop-", 10, 5, 40, 4, 2_500_000));
    groups.put(
        "C# CompilerThre", new ThreadStats.Counters("C# CompilerThre", 20, 0, 2, 0, 500_000));
    groups.put("GC Thread#", new ThreadStats.Counters("GC Thread#", 3, 1, 0, 0, 0));

    assertThat(ThreadStats.fields(groups, 1000))
        .containsExactly(
            "cpu_user_us_per_op=330.0",
            "cpu_sys_us_per_op=60.0",
            "cpu_jit_us_per_op=200.0",
            "cpu_gc_us_per_op=40.0",
            "vcsw_per_op=0.04",
            "ivcsw_per_op=0.00",
            "runq_wait_us_per_op=3.0");
  }

  @Test
  void aThreadThatWorkedShowsUpInTheDifference() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    ThreadStats before = ThreadStats.now();
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long until = threads.getCurrentThreadCpuTime() + 50_000_000L; // 50 ms of this thread's CPU
    long sum = 0;
    while (threads.getCurrentThreadCpuTime() < until) {
      sum += until % 7;
    }
    Map<String, ThreadStats.Counters> since = ThreadStats.now().since(before);

    ThreadStats.Counters total = ThreadStats.total(since);
    assertThat(total.userTicks() + total.systemTicks()).as("sum %d", sum).isPositive();
  }
}
