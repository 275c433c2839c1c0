package io.jangada.raft.benchmarks;

import io.jangada.raft.model.Message;
import io.jangada.raft.transport.ForwardingTransport;
import io.jangada.raft.transport.Transport;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the Raft messages every node sends, by kind, for {@code --count-messages}: how many
 * messages one committed write costs depends little on how loaded the machine is (unlike its time).
 * Also reports the process's CPU time over the measured phase with and without the JIT compiler
 * threads ({@link ThreadStats}); {@code --thread-table} splits it by every thread group.
 * Thread-safe; the counting itself costs a map lookup and an adder per message.
 */
final class MessageCounts {

  private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
  private final LongAdder appendEntries = new LongAdder();
  private final LongAdder emptyAppends = new LongAdder();
  private volatile ThreadStats cpuAtReset = ThreadStats.now();

  /** {@code transport}, counting what it is asked to send into this. */
  Transport counting(Transport transport) {
    return new Counting(transport);
  }

  /** Forgets everything counted so far (after the warm-up). */
  void reset() {
    sent.values().forEach(LongAdder::reset);
    appendEntries.reset();
    emptyAppends.reset();
    cpuAtReset = ThreadStats.now();
  }

  /**
   * One line: messages sent per committed write by kind (all nodes together), entries per
   * AppendRequest, the share of AppendRequests without entries (commit-index updates), and CPU
   * microseconds per write of the JIT compilers and of everything else since {@link #reset}.
   */
  String line(long writes) {
    Map<String, ThreadStats.Counters> cpu = ThreadStats.now().since(cpuAtReset);
    StringBuilder out = new StringBuilder("COUNTS writes=").append(writes);
    long total = 0;
    TreeMap<String, Long> byKind = new TreeMap<>();
    sent.forEach((kind, n) -> byKind.put(kind, n.sum()));
    for (Map.Entry<String, Long> e : byKind.entrySet()) {
      total += e.getValue();
      out.append(' ').append(e.getKey()).append("_per_write=");
      out.append(String.format(Locale.ROOT, "%.3f", (double) e.getValue() / writes));
    }
    out.append(String.format(Locale.ROOT, " messages_per_write=%.3f", (double) total / writes));
    long appends = byKind.getOrDefault("AppendRequest", 0L);
    if (appends > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              " entries_per_append=%.2f empty_appends=%.3f",
              (double) appendEntries.sum() / appends,
              (double) emptyAppends.sum() / appends));
    }
    double jit = ThreadStats.cpuMicros(cpu, "C# Compiler");
    double all = ThreadStats.cpuMicros(cpu, "");
    out.append(String.format(Locale.ROOT, " cpu_us_jit=%.1f", jit / writes));
    out.append(String.format(Locale.ROOT, " cpu_us_without_jit=%.1f", (all - jit) / writes));
    return out.toString();
  }

  private void count(Message message) {
    sent.computeIfAbsent(message.getClass().getSimpleName(), k -> new LongAdder()).increment();
    if (message instanceof Message.AppendRequest a) {
      appendEntries.add(a.entries().size());
      if (a.entries().isEmpty()) {
        emptyAppends.increment();
      }
    }
  }

  private final class Counting extends ForwardingTransport {
    Counting(Transport delegate) {
      super(delegate);
    }

    @Override
    public void send(Message message) {
      count(message);
      delegate().send(message);
    }
  }
}
