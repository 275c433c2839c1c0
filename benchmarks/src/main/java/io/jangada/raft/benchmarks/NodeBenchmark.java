package io.jangada.raft.benchmarks;

import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.testing.VirtualNetwork;
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
 * <p>{@code --stack memory} uses in-memory storage and network, to measure the driver's own
 * ceiling.
 */
@Command(
    name = "node-benchmark",
    mixinStandardHelpOptions = true,
    description = "Closed-loop puts through RaftNode.propose on a 3-node cluster in one JVM.")
public final class NodeBenchmark implements Callable<Integer> {

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

  @Option(names = "--stack", description = "memory (default ${DEFAULT-VALUE}).")
  String stack = "memory";

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!stack.equals("memory")) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "unknown --stack " + stack + "; expected: memory");
    }
    List<Workload.Result> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      Workload.Result result = runOnce();
      System.err.println("run " + run + ": " + result.line("jangada-" + stack));
      results.add(result);
    }
    results.sort(Comparator.comparingDouble(Workload.Result::opsPerSecond));
    System.out.println(results.get(results.size() / 2).line("jangada-" + stack));
    return 0;
  }

  private Workload.Result runOnce() throws Exception {
    Scheduler networkScheduler = Scheduler.system();
    VirtualNetwork network = new VirtualNetwork(networkScheduler, new SplittableRandom(1));
    network.latency(Duration.ZERO);
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    List<RaftNode> nodes = new ArrayList<>();
    try {
      for (NodeId id : ids) {
        RaftNode node =
            RaftNode.builder()
                .id(id)
                .membership(Membership.ofVoters(ids))
                .stateMachine(new MapStateMachine())
                .logStorage(new InMemoryLogStorage())
                .stateStorage(new InMemoryStateStorage())
                .transport(network.transport(id))
                .tickInterval(Duration.ofMillis(50))
                .build();
        nodes.add(node);
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
      networkScheduler.shutdown();
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
}
