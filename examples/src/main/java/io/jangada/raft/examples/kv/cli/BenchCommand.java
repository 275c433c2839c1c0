package io.jangada.raft.examples.kv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.client.KvClientException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kv bench}: the BENCHMARK.md put workloads run over HTTP against a running cluster. Closed
 * loop: each of C client threads keeps exactly one PUT in flight. Keys are {@code "k"} plus the
 * zero-padded op number (16 bytes), values 100 bytes. Prints a progress bar on stderr and one
 * {@code RESULT system=jangada-http …} line on stdout, with the bench process's own CPU time per
 * measured write ({@code client_cpu_us_per_op}).
 *
 * <p>Like a smart client, the bench sends its writes to the leader: it learns the leader's HTTP
 * address from {@code GET /v1/status} ({@code leaderHttp}), and each thread PUTs over its own
 * kept-alive HTTP/1.1 connection to it ({@link LeaderWriter}, one TCP write per request). A write
 * that does not get a 200 from there (a new leader, a node down) is sent again through {@link
 * KvClient}, which follows redirects and tries the other nodes, and the leader is looked up again;
 * such writes are counted on stderr.
 *
 * <p>Latency here includes HTTP and JSON on top of {@code RaftNode.propose}, so it is not the
 * library benchmark of BENCHMARK.md (that one calls {@code propose} in-process).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Runs the W1 (C=32) or W2 (C=1) put workload against a running cluster.")
public final class BenchCommand implements Callable<Integer> {

  @Option(
      names = "--nodes",
      split = ",",
      defaultValue = CliCommand.DEFAULT_NODES,
      description = "HTTP base URLs of the nodes (default: ${DEFAULT-VALUE}).")
  List<URI> nodes = new ArrayList<>();

  @Option(
      names = "--workload",
      defaultValue = "W1",
      description =
          "W1: 32 clients, 200000 ops after 20000 warm-up; W2: 1 client, 20000 after 2000"
              + " (default: ${DEFAULT-VALUE}).")
  String workload;

  @Option(names = "--clients", description = "Override the workload's client count.")
  Integer clients;

  @Option(names = "--ops", description = "Override the number of measured ops.")
  Long ops;

  @Option(names = "--warmup", description = "Override the number of warm-up ops.")
  Long warmup;

  @Option(
      names = "--value-bytes",
      defaultValue = "100",
      description = "Value size in bytes (default: ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(names = "--no-progress", description = "Do not draw the progress bar.")
  boolean noProgress;

  @Override
  public Integer call() throws InterruptedException {
    String w = workload.toUpperCase(Locale.ROOT);
    if (!w.equals("W1") && !w.equals("W2")) {
      System.err.println("error: --workload must be W1 or W2");
      return 2;
    }
    int c = clients != null ? clients : w.equals("W1") ? 32 : 1;
    long measured = ops != null ? ops : w.equals("W1") ? 200_000 : 20_000;
    long warm = warmup != null ? warmup : w.equals("W1") ? 20_000 : 2_000;
    if (c < 1 || measured < 1 || warm < 0 || valueBytes < 0) {
      System.err.println("error: clients and ops must be >= 1, warmup and value-bytes >= 0");
      return 2;
    }
    KvClient client = new KvClient(leaderFirst(), Duration.ofSeconds(30), false);
    Result result = run(client, c, measured, warm, valueBytes, noProgress ? null : System.err);
    if (result.errors() > 0) {
      System.err.println("errors: " + result.errors());
    }
    if (result.fallbacks() > 0) {
      System.err.println(
          "writes not answered 200 by the leader and sent again through KvClient: "
              + result.fallbacks());
    }
    System.out.println(result.line());
    return result.errors() == 0 ? 0 : 1;
  }

  /** The nodes, the leader first, so that writes go straight to it. */
  private List<URI> leaderFirst() {
    List<URI> ordered = new ArrayList<>(nodes);
    try {
      JsonNode status = new KvClient(nodes, Duration.ofSeconds(10), false).status();
      String leaderHttp = status.path("leaderHttp").asText("");
      for (URI node : nodes) {
        if (leaderHttp.startsWith(node.toString()) || node.toString().startsWith(leaderHttp)) {
          if (!leaderHttp.isEmpty()) {
            ordered.remove(node);
            ordered.add(0, node);
            break;
          }
        }
      }
    } catch (KvClientException e) {
      System.err.println("warning: no status (" + e.getMessage() + "); starting anyway");
    }
    return ordered;
  }

  /** The outcome of a run. */
  record Result(
      int clients,
      long ops,
      double opsPerSecond,
      long[] sortedNanos,
      long errors,
      long fallbacks,
      double clientCpuMicrosPerOp) {
    double percentileMs(double q) {
      if (sortedNanos.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(q * sortedNanos.length) - 1;
      return sortedNanos[Math.max(0, Math.min(rank, sortedNanos.length - 1))] / 1e6;
    }

    String line() {
      return String.format(
          Locale.ROOT,
          "RESULT system=jangada-http clients=%d ops=%d ops_per_s=%.0f p50_ms=%.2f p99_ms=%.2f"
              + " p999_ms=%.2f client_cpu_us_per_op=%.0f",
          clients,
          ops,
          opsPerSecond,
          percentileMs(0.50),
          percentileMs(0.99),
          percentileMs(0.999),
          clientCpuMicrosPerOp);
    }
  }

  /**
   * Runs the closed loop; {@code progress} may be null. Writes go to the leader {@code client}'s
   * nodes name in their status, through {@code client} itself when that fails.
   */
  static Result run(
      KvClient client,
      int clients,
      long measured,
      long warmup,
      int valueBytes,
      PrintStream progress)
      throws InterruptedException {
    long total = warmup + measured;
    byte[] value = new byte[valueBytes];
    Arrays.fill(value, (byte) 'v');
    AtomicLong next = new AtomicLong();
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong fallbacks = new AtomicLong();
    AtomicLong measureStart = new AtomicLong();
    AtomicLong measureStartCpu = new AtomicLong();
    LeaderWriter.Target leader = new LeaderWriter.Target(client);
    long[][] latencies = new long[clients][];
    int[] counts = new int[clients];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      int me = t;
      latencies[me] = new long[(int) Math.min(measured, 1 << 16)];
      Thread thread =
          new Thread(
              () -> {
                try (LeaderWriter writer = new LeaderWriter(leader)) {
                  while (true) {
                    long op = next.getAndIncrement();
                    if (op >= total) {
                      return;
                    }
                    if (op == warmup) {
                      measureStartCpu.set(processCpuNanos());
                      measureStart.set(System.nanoTime());
                    }
                    String key = key(op);
                    long start = System.nanoTime();
                    try {
                      if (!writer.put(key, value)) {
                        fallbacks.incrementAndGet();
                        client.put(key, value);
                        leader.refresh();
                      }
                    } catch (KvClientException e) {
                      errors.incrementAndGet();
                      leader.refresh();
                    }
                    long elapsed = System.nanoTime() - start;
                    if (op >= warmup) {
                      if (counts[me] == latencies[me].length) {
                        latencies[me] = Arrays.copyOf(latencies[me], counts[me] * 2);
                      }
                      latencies[me][counts[me]++] = elapsed;
                    }
                    done.incrementAndGet();
                  }
                }
              },
              "bench-client-" + t);
      threads.add(thread);
      thread.start();
    }
    Thread bar = progress == null ? null : progressBar(progress, done, total);
    for (Thread thread : threads) {
      thread.join();
    }
    long end = System.nanoTime();
    long endCpu = processCpuNanos();
    if (bar != null) {
      bar.interrupt();
      bar.join();
    }
    int n = 0;
    for (int count : counts) {
      n += count;
    }
    long[] all = new long[n];
    int at = 0;
    for (int t = 0; t < clients; t++) {
      System.arraycopy(latencies[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    Arrays.sort(all);
    long start = measureStart.get() == 0 ? end : measureStart.get();
    double seconds = Math.max(1e-9, (end - start) / 1e9);
    long startCpu = measureStart.get() == 0 ? endCpu : measureStartCpu.get();
    double cpuMicrosPerOp = n == 0 ? Double.NaN : (endCpu - startCpu) / 1e3 / n;
    return new Result(
        clients, measured, n / seconds, all, errors.get(), fallbacks.get(), cpuMicrosPerOp);
  }

  /** {@code "k"} and {@code op} zero-padded to 15 digits (what {@code "k%015d"} formats). */
  static String key(long op) {
    String digits = Long.toString(op);
    StringBuilder key = new StringBuilder(16).append('k');
    for (int i = digits.length(); i < 15; i++) {
      key.append('0');
    }
    return key.append(digits).toString();
  }

  /** CPU time of this whole process (every thread), or 0 where the JVM cannot tell. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  private static Thread progressBar(PrintStream out, AtomicLong done, long total) {
    Thread thread =
        new Thread(
            () -> {
              long lastDone = 0;
              long lastTime = System.nanoTime();
              // Redraw in place on a terminal; a line every 5 s when stderr goes to a file.
              boolean terminal = System.console() != null;
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  Thread.sleep(terminal ? 250 : 5000);
                } catch (InterruptedException e) {
                  break;
                }
                long now = System.nanoTime();
                long d = done.get();
                double rate = (d - lastDone) / ((now - lastTime) / 1e9);
                lastDone = d;
                lastTime = now;
                draw(out, d, total, rate);
                if (!terminal) {
                  out.println();
                }
              }
              draw(out, done.get(), total, 0);
              out.println();
            },
            "bench-progress");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void draw(PrintStream out, long done, long total, double rate) {
    int width = 40;
    int filled = (int) (width * done / Math.max(1, total));
    String bar = "=".repeat(filled) + " ".repeat(width - filled);
    out.print(
        String.format(
            Locale.ROOT,
            "\r[%s] %3d%% %,d/%,d ops %,8.0f ops/s ",
            bar,
            100 * done / Math.max(1, total),
            done,
            total,
            rate));
    out.flush();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
