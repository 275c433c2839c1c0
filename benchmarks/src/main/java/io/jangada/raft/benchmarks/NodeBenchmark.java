package io.jangada.raft.benchmarks;

import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import io.jangada.raft.testing.VirtualNetwork;
import io.jangada.raft.transport.Transport;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the BENCHMARK.md workload against three {@link RaftNode}s in this JVM and prints one {@code
 * RESULT} line: the median run (by throughput) of {@code --runs} runs.
 *
 * <p>{@code --transport memory --storage memory} measures the driver's own ceiling; {@code
 * --transport grpc --storage file} is the reference configuration of BENCHMARK.md.
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

  @Option(names = "--storage", description = "memory or file (default ${DEFAULT-VALUE}).")
  StorageKind storage = StorageKind.memory;

  @Option(names = "--transport", description = "memory or grpc (default ${DEFAULT-VALUE}).")
  TransportKind transport = TransportKind.memory;

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    String system = "jangada-" + transport + "-" + storage;
    List<Workload.Result> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      Workload.Result result = runOnce();
      System.err.println("run " + run + ": " + result.line(system));
      results.add(result);
    }
    results.sort(Comparator.comparingDouble(Workload.Result::opsPerSecond));
    System.out.println(results.get(results.size() / 2).line(system));
    return 0;
  }

  private Workload.Result runOnce() throws Exception {
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    List<RaftNode> nodes = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    Path root = Files.createTempDirectory("jangada-bench-");
    try {
      Transports transports = Transports.create(transport, ids, resources);
      for (NodeId id : ids) {
        RaftNode.Builder builder =
            RaftNode.builder()
                .id(id)
                .membership(Membership.ofVoters(ids))
                .stateMachine(new MapStateMachine())
                .transport(transports.forNode(id))
                .tickInterval(Duration.ofMillis(50));
        if (storage == StorageKind.file) {
          FileStorage files =
              FileStorage.open(root.resolve(id.value()), new DataDirIdentity("bench", id));
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
        nodes.add(builder.build());
      }
      for (RaftNode node : nodes) {
        node.start().get(10, TimeUnit.SECONDS);
      }
      RaftNode leader = awaitLeader(nodes);
      Workload workload = new Workload(leader);
      workload.run(clients, warmup, false);
      return workload.run(clients, ops, true);
    } finally {
      nodes.forEach(RaftNode::close);
      for (AutoCloseable resource : resources) {
        resource.close();
      }
      deleteRecursively(root);
    }
  }

  /** Creates one transport per node. */
  interface Transports {
    Transport forNode(NodeId id) throws IOException;

    static Transports create(TransportKind kind, List<NodeId> ids, List<AutoCloseable> resources)
        throws IOException {
      if (kind == TransportKind.grpc) {
        return GrpcTransports.create(ids, resources);
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
