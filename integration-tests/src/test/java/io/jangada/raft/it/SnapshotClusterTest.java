package io.jangada.raft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftNode;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.file.FileStorage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on the real stack (FileStorage + GrpcTransport on 127.0.0.1): a new, empty node joins a
 * cluster whose log was compacted and catches up by InstallSnapshot; a node restarts from snapshot
 * + log tail; a half-written snapshot file is ignored.
 */
class SnapshotClusterTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));

  @TempDir Path dir;

  private final Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
  private final Map<NodeId, Running> running = new ConcurrentHashMap<>();

  private record Running(
      FileStorage storage, GrpcTransport transport, KvMachine machine, RaftNode node) {}

  @AfterEach
  void tearDown() throws IOException {
    for (NodeId id : IDS) {
      stop(id);
    }
  }

  @Test
  void emptyNodeJoinsACompactedClusterAndNodesRestartFromSnapshots() throws Exception {
    for (NodeId id : IDS) {
      addresses.put(id, freeLoopbackAddress());
    }
    start(IDS.get(0));
    start(IDS.get(1));
    for (int i = 0; i < 400; i++) {
      write("k" + (i % 50), "v" + i);
    }
    RaftNode leader = leader();
    awaitUntil(() -> leader.status().firstIndex() > 100, "the leader compacts its log");

    // n3 has never run: it can only catch up through InstallSnapshot.
    start(IDS.get(2));
    awaitConverged();
    RaftNode joined = running.get(IDS.get(2)).node();
    assertThat(joined.status().snapshotIndex()).as("n3 installed a snapshot").isPositive();
    assertThat(joined.status().firstIndex())
        .as("n3's log starts after the snapshot")
        .isGreaterThan(1);

    // A half-written snapshot (crash during write) must be ignored on restart.
    NodeId victim = IDS.get(0);
    stop(victim);
    Path snapshots = dir.resolve(victim.value()).resolve("snapshots");
    Files.write(
        snapshots.resolve(String.format("snap-%020d-%020d-1.tmp", 999_999L, 99L)),
        new byte[] {1, 2, 3, 4, 5});
    start(victim);
    RaftNode restarted = running.get(victim).node();
    assertThat(restarted.status().snapshotIndex())
        .as("restarted from its own snapshot, not the half-written one")
        .isPositive()
        .isLessThan(999_999L);
    assertThat(running.get(victim).machine().contents())
        .as("state restored from snapshot + tail before any new write")
        .containsKey("k0");
    try (var files = Files.list(snapshots)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }

    write("after", "restart");
    awaitConverged();
  }

  private void write(String key, String value) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        leader().propose(Bytes.ofUtf8("P " + key + " " + value)).get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    throw new AssertionError("could not write " + key);
  }

  private RaftNode leader() {
    awaitUntil(
        () -> running.values().stream().anyMatch(r -> r.node().status().isLeader()), "a leader");
    Optional<Running> leader =
        running.values().stream().filter(r -> r.node().status().isLeader()).findFirst();
    return leader.orElseThrow().node();
  }

  private void awaitConverged() {
    awaitUntil(
        () ->
            running.size() == IDS.size()
                && running.values().stream().map(r -> r.machine().contents()).distinct().count()
                    == 1,
        "all nodes reach the same state");
  }

  private void start(NodeId id) throws IOException {
    FileStorage storage = FileStorage.open(dir.resolve(id.value()));
    GrpcTransport.Builder builder =
        GrpcTransport.builder().self(id).clusterId("snapshots").listen(addresses.get(id));
    for (NodeId peer : IDS) {
      if (!peer.equals(id)) {
        builder.peer(peer, addresses.get(peer));
      }
    }
    GrpcTransport transport = builder.build();
    KvMachine machine = new KvMachine();
    RaftNode node =
        RaftNode.builder()
            .id(id)
            .membership(Membership.ofVoters(IDS))
            .config(RaftConfig.builder().electionTicks(10).heartbeatTicks(1).build())
            .stateMachine(machine)
            .logStorage(storage.log())
            .stateStorage(storage.state())
            .snapshotStorage(storage.snapshots())
            .transport(transport)
            .tickInterval(Duration.ofMillis(20))
            .snapshotThreshold(50)
            .snapshotTrailingEntries(10)
            .snapshotChunkBytes(512)
            .seed(id.hashCode())
            .build();
    node.start().join();
    running.put(id, new Running(storage, transport, machine, node));
  }

  private void stop(NodeId id) throws IOException {
    Running r = running.remove(id);
    if (r != null) {
      r.node().close();
      r.transport().close();
      r.storage().close();
    }
  }

  private static void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " within 30 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private static InetSocketAddress freeLoopbackAddress() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
