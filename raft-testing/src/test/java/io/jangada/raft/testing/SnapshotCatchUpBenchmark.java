package io.jangada.raft.testing;

import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.StateMachine;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark (a program, not a test) of InstallSnapshot in one JVM: a follower cut off while the
 * leader's state grows to SIZE MiB and is snapshotted and compacted away catches up by snapshot
 * once the partition heals. Measures the driver's chunking, CRC32C, flow control and restore over
 * the in-memory network on real threads (no disk, no gRPC); the 1 GiB loopback target of
 * BENCHMARK.md needs file storage and the gRPC transport on top. Prints one line per run.
 *
 * <pre>
 * mvn -B -ntp -pl raft-testing -am test-compile
 * MAVEN_OPTS=-Xmx8g mvn -B -ntp -pl raft-testing exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.jangada.raft.testing.SnapshotCatchUpBenchmark [-Dexec.args="SIZE_MIB CHUNK_KIB WINDOW"]
 * </pre>
 *
 * Defaults: 256 MiB, 1024 KiB chunks, window 4. Memory: about 4 × SIZE (state on three nodes and
 * the stored snapshots).
 */
public final class SnapshotCatchUpBenchmark {

  private SnapshotCatchUpBenchmark() {}

  /** State: one immutable blob, made deterministically by a "fill SEED SIZE" command. */
  private static final class BlobStateMachine implements StateMachine {
    private volatile byte[] blob = new byte[0];

    @Override
    public Bytes apply(long index, Bytes command) {
      String[] parts = command.toUtf8().split(" ");
      if (parts[0].equals("fill")) {
        byte[] next = new byte[Integer.parseInt(parts[2])];
        new SplittableRandom(Long.parseLong(parts[1])).nextBytes(next);
        blob = next;
      }
      return Bytes.EMPTY;
    }

    @Override
    public SnapshotWriter snapshot() {
      byte[] captured = blob; // never mutated: the capture is free
      return out -> out.write(captured);
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream data) throws IOException {
      blob = data.readAllBytes();
    }
  }

  public static void main(String[] args) throws Exception {
    int sizeMib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int chunkKib = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    Scheduler networkScheduler = Scheduler.system();
    VirtualNetwork network = new VirtualNetwork(networkScheduler, new SplittableRandom(1));
    network.latency(Duration.ZERO);
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    List<RaftNode> nodes = new ArrayList<>();
    try {
      for (NodeId id : ids) {
        nodes.add(
            RaftNode.builder()
                .id(id)
                .membership(Membership.ofVoters(ids))
                .config(RaftConfig.builder().electionTicks(20).heartbeatTicks(2).build())
                .stateMachine(new BlobStateMachine())
                .logStorage(new InMemoryLogStorage())
                .stateStorage(new InMemoryStateStorage())
                .snapshotStorage(new InMemorySnapshotStorage(1))
                .transport(network.transport(id))
                .tickInterval(Duration.ofMillis(10))
                .seed(id.hashCode())
                .snapshotThreshold(0)
                .snapshotThresholdBytes(0)
                .snapshotTrailingEntries(0)
                .snapshotChunkBytes(chunkKib * 1024)
                .snapshotWindow(window)
                .build());
      }
      nodes.forEach(n -> n.start().join());
      RaftNode leader = awaitLeader(nodes);
      RaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
      network.isolate(follower.id());
      leader.propose(Bytes.ofUtf8("fill 7 " + (sizeMib << 20))).get(60, TimeUnit.SECONDS);
      SnapshotMeta meta = leader.snapshot().get(120, TimeUnit.SECONDS);
      long start = System.nanoTime();
      network.heal();
      while (follower.status().snapshotIndex() < meta.index()
          || follower.status().appliedIndex() < meta.index()) {
        if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
          throw new AssertionError("the follower did not catch up within 10 minutes");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "snapshot catch-up: %d MiB, %d KiB chunks, window %d: %.2f s, %.0f MB/s%n",
          sizeMib, chunkKib, window, seconds, (sizeMib * 1048576.0) / 1e6 / seconds);
    } finally {
      nodes.forEach(RaftNode::close);
      networkScheduler.shutdown();
    }
  }

  private static RaftNode awaitLeader(List<RaftNode> nodes) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (RaftNode node : nodes) {
        if (node.status().isLeader()) {
          return node;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    throw new AssertionError("no leader within 30 s");
  }
}
