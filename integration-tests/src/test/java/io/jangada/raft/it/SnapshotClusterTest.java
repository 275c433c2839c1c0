package io.jangada.raft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
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
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private RealCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void emptyNodeJoinsACompactedClusterAndNodesRestartFromSnapshots() throws Exception {
    cluster =
        new RealCluster(IDS, dir, "snapshots")
            .customize(
                b ->
                    b.snapshotThreshold(50)
                        .snapshotTrailingEntries(10)
                        .snapshotChunkBytes(512)
                        .seed(42));
    cluster.start(IDS.get(0));
    cluster.start(IDS.get(1));
    for (int i = 0; i < 400; i++) {
      write("k" + (i % 50), "v" + i);
    }
    RaftNode leader = cluster.awaitLeader();
    RealCluster.awaitUntil(
        () -> leader.status().firstIndex() > 100, "the leader compacts its log", WAIT);

    // n3 has never run: it can only catch up through InstallSnapshot.
    cluster.start(IDS.get(2));
    awaitConverged();
    RaftNode joined = cluster.running().get(IDS.get(2)).node();
    assertThat(joined.status().snapshotIndex()).as("n3 installed a snapshot").isPositive();
    assertThat(joined.status().firstIndex())
        .as("n3's log starts after the snapshot")
        .isGreaterThan(1);

    // A half-written snapshot (crash during write) must be ignored on restart.
    NodeId victim = IDS.get(0);
    cluster.stop(victim);
    Path snapshots = cluster.dataDir(victim).resolve("snapshots");
    Files.write(
        snapshots.resolve(String.format("snap-%020d-%020d-1.tmp", 999_999L, 99L)),
        new byte[] {1, 2, 3, 4, 5});
    cluster.start(victim);
    RealCluster.Running restarted = cluster.running().get(victim);
    assertThat(restarted.node().status().snapshotIndex())
        .as("restarted from its own snapshot, not the half-written one")
        .isPositive()
        .isLessThan(999_999L);
    assertThat(restarted.machine().contents())
        .as("state restored from snapshot + tail before any new write")
        .containsKey("k0");
    try (var files = Files.list(snapshots)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }

    write("after", "restart");
    awaitConverged();
  }

  private void write(String key, String value) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        cluster
            .awaitLeader()
            .propose(Bytes.ofUtf8("P " + key + " " + value))
            .get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    throw new AssertionError("could not write " + key);
  }

  private void awaitConverged() {
    RealCluster.awaitUntil(
        () ->
            cluster.running().size() == IDS.size()
                && cluster.running().values().stream()
                        .map(r -> r.machine().contents())
                        .distinct()
                        .count()
                    == 1,
        "all nodes reach the same state",
        WAIT);
  }
}
