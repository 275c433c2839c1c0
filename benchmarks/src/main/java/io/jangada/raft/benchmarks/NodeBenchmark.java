package io.jangada.raft.benchmarks;

import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.grpc.RaftClient;
import io.jangada.raft.metrics.RaftNodeMeters;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import io.jangada.raft.storage.file.FileStorageOptions;
import io.jangada.raft.testing.VirtualNetwork;
import io.jangada.raft.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the BENCHMARK.md workload against three (or five) {@link RaftNode}s in one JVM and prints
 * one {@code RESULT} line per run and one for the median run (by throughput).
 *
 * <p>Every run is a fresh JVM (BENCHMARK.md: medians of runs inside one warm JVM flatter the
 * result); this process only starts the runs and collects their lines. Each run first measures the
 * machine's floors (4 KiB append + fdatasync in the storage directory, loopback gRPC round trip)
 * and reports its latency against them, and it reports process CPU time per committed write.
 *
 * <p>{@code --transport memory --storage memory} measures the driver's own ceiling; {@code
 * --transport grpc --storage file} is the reference configuration of BENCHMARK.md; with {@code
 * --client raft-client} the puts come through {@code RaftClient} over gRPC instead of {@code
 * RaftNode.propose} in process (the client hop included, like Ratis's and SOFAJRaft's clients).
 */
@Command(
    name = "node-benchmark",
    mixinStandardHelpOptions = true,
    description = "Closed-loop puts through RaftNode.propose on a 3-node cluster in one JVM.")
public final class NodeBenchmark implements Callable<Integer> {

  /** Where the nodes keep their state. */
  enum StorageKind {
    memory,
    file
  }

  /** How the nodes talk. */
  enum TransportKind {
    memory,
    grpc
  }

  /** Where the puts come from. */
  enum ClientKind {
    /** {@code RaftNode.propose} on the leader, in the nodes' JVM (no client hop). */
    in_process,
    /**
     * One shared {@code RaftClient} (exactly-once session, many puts in flight) over gRPC to the
     * nodes' client service: the client hop that Ratis's RaftClient and SOFAJRaft's RPC client pay.
     */
    raft_client
  }

  @Option(
      names = "--clients",
      description = "Concurrent closed-loop clients (default ${DEFAULT-VALUE}).")
  int clients = 32;

  @Option(names = "--ops", description = "Measured operations per run (default ${DEFAULT-VALUE}).")
  long ops = 200_000;

  @Option(
      names = "--warmup",
      description = "Warm-up operations per run (default ${DEFAULT-VALUE}).")
  long warmup = 20_000;

  @Option(
      names = "--runs",
      description = "Runs; the median is reported (default ${DEFAULT-VALUE}).")
  int runs = 3;

  @Option(names = "--nodes", description = "Voting nodes, 3 or 5 (default ${DEFAULT-VALUE}).")
  int nodeCount = 3;

  @Option(
      names = "--value-bytes",
      description = "Value size of each put (default ${DEFAULT-VALUE}; W4 uses 4096).")
  int valueBytes = 100;

  @Option(
      names = "--same-jvm",
      description = "Run every run in this JVM instead of a fresh JVM each (not comparable).")
  boolean sameJvm;

  @Option(
      names = "--metrics",
      description =
          "Bind raft-metrics-micrometer (node and gRPC transport meters) to a SimpleMeterRegistry"
              + " per node, to measure what metrics cost (the RESULT line then says metrics=on).")
  boolean metrics;

  @Option(
      names = "--count-messages",
      description =
          "Count the Raft messages the nodes send during the measured phase and print them per"
              + " committed write (a COUNTS line; see benchmarks/PROFILE.md).")
  boolean countMessages;

  @Option(
      names = "--thread-table",
      description =
          "Print CPU (user, system) and context switches per write by group of threads (from"
              + " /proc/self/task, also JIT and GC threads) to standard error.")
  boolean threadTable;

  @Option(
      names = "--idle-seconds",
      description =
          "After the warm-up, measure the cluster's CPU for this many seconds without load (idle"
              + " cost: ticks, heartbeats, JIT, GC; default ${DEFAULT-VALUE}: not measured).")
  int idleSeconds;

  @Option(
      names = "--slowest",
      description = "Print the start time and latency of the N slowest writes to standard error.")
  int slowest;

  @Option(
      names = "--trace-writes",
      description =
          "Record every measured write's timeline (sends, receipts, syncs, applies on each node) and"
              + " print the time of each stage, which stage made the slow writes slow and the GC"
              + " pauses they overlapped to standard error (meant for --clients 1; with --slowest N,"
              + " the N slowest writes stage by stage).")
  boolean traceWrites;

  @Option(
      names = "--latency-file",
      description =
          "Write every measured write's start (epoch microseconds) and latency (microseconds), one"
              + " per line, to this file: to line slow writes up with JFR events or GC logs.")
  Path latencyFile;

  @Option(
      names = "--entry-cache-bytes",
      description =
          "The file log's entry cache per node (FileStorageOptions.entryCacheBytes; default: the"
              + " library's default).")
  Long entryCacheBytes;

  @Option(
      names = "--snapshot-jitter",
      description =
          "RaftNode.Builder.snapshotJitter (default: the library's default). Every snapshot"
              + " stored is printed to stderr as a SNAPSHOT line (node, index, epoch ms).")
  Double snapshotJitter;

  @Option(names = "--run-number", hidden = true)
  int runNumber;

  @Option(names = "--storage", description = "memory or file (default ${DEFAULT-VALUE}).")
  StorageKind storage = StorageKind.memory;

  @Option(names = "--transport", description = "memory or grpc (default ${DEFAULT-VALUE}).")
  TransportKind transport = TransportKind.memory;

  @Option(
      names = "--client",
      converter = ClientKindConverter.class,
      description =
          "in-process (RaftNode.propose on the leader) or raft-client (RaftClient over gRPC;"
              + " needs --transport grpc) (default: in-process).")
  ClientKind client = ClientKind.in_process;

  /** Accepts the option's spelling with a dash. */
  static final class ClientKindConverter implements CommandLine.ITypeConverter<ClientKind> {
    @Override
    public ClientKind convert(String value) {
      return ClientKind.valueOf(value.replace('-', '_'));
    }
  }

  private String[] arguments = new String[0];

  public static void main(String[] args) {
    NodeBenchmark benchmark = new NodeBenchmark();
    benchmark.arguments = args.clone();
    System.exit(new CommandLine(benchmark).setOverwrittenOptionsAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (nodeCount != 3 && nodeCount != 5) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--nodes must be 3 or 5, not " + nodeCount);
    }
    if (client == ClientKind.raft_client && transport != TransportKind.grpc) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--client raft-client needs --transport grpc");
    }
    String heapProblem =
        HeapFit.problem(nodeCount, warmup + ops, valueBytes, Runtime.getRuntime().maxMemory());
    if (heapProblem != null) {
      throw new CommandLine.ParameterException(new CommandLine(this), heapProblem);
    }
    if (runNumber > 0) {
      System.out.println(runOnce());
      return 0;
    }
    List<RunLine> lines = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      RunLine line = sameJvm ? runOnceHere(run) : RunLine.parse(ForkedRun.run(arguments, run));
      System.out.println(line.text());
      lines.add(line);
    }
    lines.sort(Comparator.comparingDouble(RunLine::opsPerSecond));
    System.out.println(lines.get(lines.size() / 2).asMedian(lines.size()));
    return 0;
  }

  private RunLine runOnceHere(int run) throws Exception {
    runNumber = run;
    try {
      return RunLine.parse(runOnce());
    } finally {
      runNumber = 0;
    }
  }

  /** One measured run in this JVM, as its {@code RESULT} line. */
  private String runOnce() throws Exception {
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      ids.add(NodeId.of("n" + i));
    }
    List<RaftNode> nodes = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    List<AutoCloseable> beforeNodes = new ArrayList<>(); // a client closes its session first
    Path root = Files.createTempDirectory("jangada-bench-");
    try {
      FloorProbe.Floors floors =
          FloorProbe.Floors.measure(
              root.resolve("floor"), transport == TransportKind.grpc, nodeCount);
      Map<NodeId, MeterRegistry> registries = new HashMap<>();
      if (metrics) {
        for (NodeId id : ids) {
          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          resources.add(registry::close);
          registries.put(id, registry);
        }
      }
      Transports transports = Transports.create(transport, ids, resources, registries);
      List<Transport> nodeTransports = new ArrayList<>();
      MessageCounts counts = new MessageCounts();
      WriteTrace trace = traceWrites ? new WriteTrace(ids, ops) : null;
      for (NodeId id : ids) {
        Transport nodeTransport = transports.forNode(id);
        nodeTransports.add(nodeTransport);
        Transport sending = countMessages ? counts.counting(nodeTransport) : nodeTransport;
        RaftNode.Builder builder =
            RaftNode.builder()
                .id(id)
                .membership(Membership.ofVoters(ids))
                .stateMachine(new MapStateMachine())
                .transport(trace != null ? trace.tracing(id, sending) : sending)
                .tickInterval(Duration.ofMillis(50));
        if (trace != null) {
          builder.metrics(trace.metrics(id));
        }
        if (snapshotJitter != null) {
          builder.snapshotJitter(snapshotJitter);
        }
        builder.listener(
            new io.jangada.raft.RaftListener() {
              @Override
              public void onSnapshot(NodeId self, io.jangada.raft.model.SnapshotMeta meta) {
                System.err.printf(
                    "SNAPSHOT node=%s index=%d epoch_ms=%d%n",
                    self, meta.index(), System.currentTimeMillis());
              }
            });
        if (storage == StorageKind.file) {
          FileStorageOptions.Builder fileOptions = FileStorageOptions.builder();
          if (entryCacheBytes != null) {
            fileOptions.entryCacheBytes(entryCacheBytes);
          }
          FileStorage files =
              FileStorage.open(
                  root.resolve(id.value()), new DataDirIdentity("bench", id), fileOptions.build());
          resources.add(files);
          builder
              .logStorage(files.log())
              .stateStorage(files.state())
              .snapshotStorage(files.snapshots());
        } else {
          builder
              .logStorage(new InMemoryLogStorage())
              .stateStorage(new InMemoryStateStorage())
              .snapshotStorage(new InMemorySnapshotStorage());
        }
        RaftNode node = builder.build();
        nodes.add(node);
        if (metrics) {
          resources.add(0, RaftNodeMeters.bind(registries.get(id), node, "bench"));
        }
      }
      for (RaftNode node : nodes) {
        node.start().get(10, TimeUnit.SECONDS);
      }
      RaftNode leader = awaitLeader(nodes);
      Workload workload;
      String system = "jangada-" + transport + "-" + storage;
      if (client == ClientKind.raft_client) {
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
          GrpcTransport grpc = (GrpcTransport) nodeTransports.get(i);
          grpc.serveClients(nodes.get(i));
          endpoints.add("127.0.0.1:" + grpc.boundAddress().getPort());
        }
        RaftClient raftClient =
            RaftClient.builder()
                .endpoints(endpoints)
                .clusterId("bench")
                .deadline(Duration.ofSeconds(30))
                .build();
        beforeNodes.add(raftClient);
        workload = new Workload(raftClient::submit, valueBytes);
        system += "-raftclient";
      } else {
        workload = new Workload(leader, valueBytes);
      }
      workload.run(clients, warmup, false);
      String idle = idleSeconds > 0 ? " " + measureIdle() : "";
      counts.reset();
      WriteTraceReport.GcPauses gc = trace != null ? new WriteTraceReport.GcPauses() : null;
      JitSampler jit = trace != null ? new JitSampler() : null;
      if (trace != null) {
        trace.start(leader.status().lastIndex());
      }
      long epochStartMicros = System.currentTimeMillis() * 1000;
      long nanoStart = System.nanoTime();
      Workload.Result result = workload.run(clients, ops, true, slowest);
      if (latencyFile != null) {
        workload.lastWrites().writeTo(latencyFile, epochStartMicros, nanoStart);
      }
      if (trace != null) {
        trace.stop();
        jit.close();
        Workload.Writes writes = workload.lastWrites();
        System.err.print(
            WriteTraceReport.report(
                trace,
                nodes.indexOf(leader),
                writes.begins(),
                writes.latencies(),
                writes.indexes(),
                gc,
                jit,
                slowest));
      }
      if (countMessages) {
        System.out.println(counts.line(ops));
      }
      if (threadTable) {
        System.err.print("run " + runNumber + ", per write:\n" + result.threadTable());
      }
      return String.join(
          " ",
          "RESULT system=" + system,
          "run=" + runNumber,
          "nodes=" + nodeCount,
          result.fields() + idle + (metrics ? " metrics=on" : ""),
          String.join(" ", floors.fields(result.p50())));
    } finally {
      for (AutoCloseable resource : beforeNodes) {
        resource.close();
      }
      nodes.forEach(RaftNode::close);
      for (AutoCloseable resource : resources) {
        resource.close();
      }
      deleteRecursively(root);
    }
  }

  /**
   * The process's CPU while the cluster is idle for {@code idleSeconds}, as a {@code RESULT} field
   * (milliseconds of CPU per second); the table by thread goes to standard error.
   */
  private String measureIdle() {
    ThreadStats before = ThreadStats.now();
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(idleSeconds));
    Map<String, ThreadStats.Counters> idle = ThreadStats.now().since(before);
    ThreadStats.Counters total = ThreadStats.total(idle);
    if (threadTable) {
      // "per op" in the table is per second here.
      System.err.print(
          "idle, per second (user/sys in us, switches):\n" + ThreadStats.table(idle, idleSeconds));
    }
    return String.format(
        java.util.Locale.ROOT,
        "idle_cpu_ms_per_s=%.1f idle_vcsw_per_s=%.0f",
        (total.userTicks() + total.systemTicks()) * 10.0 / idleSeconds,
        (double) total.voluntary() / idleSeconds);
  }

  /** Creates one transport per node. */
  interface Transports {
    Transport forNode(NodeId id) throws IOException;

    static Transports create(
        TransportKind kind,
        List<NodeId> ids,
        List<AutoCloseable> resources,
        Map<NodeId, MeterRegistry> registries)
        throws IOException {
      if (kind == TransportKind.grpc) {
        return GrpcTransports.create(ids, resources, registries);
      }
      Scheduler networkScheduler = Scheduler.system();
      resources.add((Closeable) networkScheduler::shutdown);
      VirtualNetwork network = new VirtualNetwork(networkScheduler, new SplittableRandom(1));
      network.latency(Duration.ZERO);
      return network::transport;
    }
  }

  static RaftNode awaitLeader(List<RaftNode> nodes) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (RaftNode node : nodes) {
        if (node.status().isLeader()) {
          return node;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    throw new IllegalStateException("no leader within 30 s");
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
