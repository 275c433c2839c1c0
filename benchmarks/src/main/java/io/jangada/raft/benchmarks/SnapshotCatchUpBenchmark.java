package io.jangada.raft.benchmarks;

import io.jangada.raft.RaftNode;
import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast a new follower catches up from a large snapshot over gRPC on loopback, with file
 * storage: two nodes snapshot a state of {@code --bytes} and compact their logs, then an empty
 * third node starts; the time until it has restored the snapshot gives MB/s.
 */
@Command(
    name = "snapshot-catch-up",
    mixinStandardHelpOptions = true,
    description = "Time for an empty follower to install a large snapshot over gRPC.")
public final class SnapshotCatchUpBenchmark implements Callable<Integer> {

  @Option(names = "--bytes", description = "Snapshot size in bytes (default ${DEFAULT-VALUE}).")
  long bytes = 1L << 30;

  @Option(
      names = "--chunk-bytes",
      description = "InstallSnapshot chunk size (default ${DEFAULT-VALUE}).")
  int chunkBytes = 1 << 20;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SnapshotCatchUpBenchmark()).execute(args));
  }

  /**
   * A state machine whose state is {@code size} bytes of generated data: snapshots stream it
   * without holding it in memory, and restores read and count it.
   */
  static final class BlobMachine implements StateMachine {
    final long size;
    final AtomicLong restoredBytes = new AtomicLong();

    BlobMachine(long size) {
      this.size = size;
    }

    @Override
    public Bytes apply(long index, Bytes command) {
      return Bytes.EMPTY;
    }

    @Override
    public SnapshotWriter snapshot() {
      return out -> writeBlob(out, size);
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream in) throws IOException {
      byte[] buffer = new byte[1 << 20];
      long total = 0;
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        total += n;
      }
      restoredBytes.set(total);
    }

    private static void writeBlob(OutputStream out, long size) throws IOException {
      byte[] block = new byte[1 << 20];
      new SplittableRandom(1).nextBytes(block);
      for (long written = 0; written < size; written += block.length) {
        out.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    Path root = Files.createTempDirectory("jangada-snapshot-bench-");
    List<AutoCloseable> resources = new ArrayList<>();
    List<RaftNode> nodes = new ArrayList<>();
    NodeBenchmark.Transports transports = GrpcTransports.create(ids, resources, java.util.Map.of());
    try {
      List<BlobMachine> machines = new ArrayList<>();
      for (NodeId id : ids.subList(0, 2)) {
        BlobMachine machine = new BlobMachine(bytes);
        machines.add(machine);
        nodes.add(start(id, ids, machine, transports, root, resources));
      }
      RaftNode leader = NodeBenchmark.awaitLeader(nodes);
      for (int i = 0; i < 200; i++) {
        leader.propose(Bytes.ofUtf8("x" + i)).get(30, TimeUnit.SECONDS);
      }
      long snapshotStart = System.nanoTime();
      leader.snapshot().get(30, TimeUnit.MINUTES);
      awaitUntil(() -> leader.status().firstIndex() > 100, "log compaction on the leader");
      System.err.printf(
          "snapshot of %d MiB written by the leader in %.1f s%n",
          bytes >> 20, (System.nanoTime() - snapshotStart) / 1e9);

      BlobMachine follower = new BlobMachine(bytes);
      long begin = System.nanoTime();
      RaftNode joined = start(ids.get(2), ids, follower, transports, root, resources);
      nodes.add(joined);
      awaitUntil(() -> follower.restoredBytes.get() == bytes, "the new follower restores");
      double seconds = (System.nanoTime() - begin) / 1e9;
      System.out.printf(
          java.util.Locale.ROOT,
          "RESULT bench=snapshot-catch-up transport=grpc storage=file bytes=%d chunk_bytes=%d"
              + " seconds=%.2f MB_per_s=%.1f%n",
          bytes,
          chunkBytes,
          seconds,
          bytes / 1e6 / seconds);
      return 0;
    } finally {
      nodes.forEach(RaftNode::close);
      for (AutoCloseable resource : resources) {
        resource.close();
      }
      try (var paths = Files.walk(root)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  private RaftNode start(
      NodeId id,
      List<NodeId> ids,
      BlobMachine machine,
      NodeBenchmark.Transports transports,
      Path root,
      List<AutoCloseable> resources)
      throws Exception {
    FileStorage storage =
        FileStorage.open(root.resolve(id.value()), new DataDirIdentity("bench", id));
    resources.add(storage);
    RaftNode node =
        RaftNode.builder()
            .id(id)
            .membership(Membership.ofVoters(ids))
            .stateMachine(machine)
            .logStorage(storage.log())
            .stateStorage(storage.state())
            .snapshotStorage(storage.snapshots())
            .transport(transports.forNode(id))
            .tickInterval(Duration.ofMillis(50))
            .snapshotThreshold(0) // by hand only
            .snapshotThresholdBytes(0)
            .snapshotTrailingEntries(10)
            .snapshotChunkBytes(chunkBytes)
            .build();
    node.start().get(60, TimeUnit.SECONDS);
    return node;
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " did not happen within 30 minutes");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
