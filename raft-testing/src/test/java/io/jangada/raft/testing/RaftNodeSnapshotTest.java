package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftNode;
import io.jangada.raft.StateMachine.SnapshotWriter;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Snapshots, log compaction and InstallSnapshot through RaftNode, in virtual time. */
class RaftNodeSnapshotTest {

  private InMemoryCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private InMemoryCluster cluster(long seed, long threshold, long trailing, int chunkBytes) {
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(seed)
            .customize(
                b ->
                    b.snapshotThreshold(threshold)
                        .snapshotTrailingEntries(trailing)
                        .snapshotChunkBytes(chunkBytes))
            .build();
    return cluster;
  }

  private List<String> applied(NodeId id) {
    return ((RecordingStateMachine) cluster.stateMachine(id))
        .applied().stream().map(Bytes::toUtf8).collect(Collectors.toList());
  }

  /** Proposes {@code count} commands named prefix-i on the current leader, 20 at a time. */
  private List<String> propose(String prefix, int count) {
    List<String> commands = new ArrayList<>();
    for (int i = 0; i < count; i += 20) {
      RaftNode leader = cluster.node(cluster.awaitLeader());
      List<CompletableFuture<Committed>> batch = new ArrayList<>();
      for (int j = i; j < Math.min(count, i + 20); j++) {
        commands.add(prefix + "-" + j);
        batch.add(leader.propose(Bytes.ofUtf8(prefix + "-" + j)));
      }
      cluster.await(CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)));
    }
    return commands;
  }

  private void awaitSameState(List<NodeId> ids, List<String> mustContain, String seedInfo) {
    cluster.awaitCondition(
        () -> {
          List<String> first = applied(ids.get(0));
          return first.containsAll(mustContain)
              && ids.stream().allMatch(id -> applied(id).equals(first));
        },
        Duration.ofSeconds(30),
        "every node reaches the same state (" + seedInfo + ")");
  }

  private NodeId aFollower() {
    NodeId leader = cluster.awaitLeader();
    return cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void automaticSnapshotsCompactTheLogKeepingTrailingEntries() throws IOException {
    cluster(11, 50, 10, 1 << 20);
    List<String> commands = propose("a", 200);
    awaitSameState(cluster.ids(), commands, "seed 11");
    cluster.advance(Duration.ofMillis(200));
    for (NodeId id : cluster.ids()) {
      SnapshotMeta latest = cluster.snapshotStorage(id).latest().orElseThrow();
      assertThat(latest.index()).as("snapshot of %s", id).isGreaterThanOrEqualTo(150);
      assertThat(cluster.node(id).status().snapshotIndex()).isEqualTo(latest.index());
      assertThat(cluster.logStorage(id).firstIndex() - 1)
          .as("compacted prefix of %s", id)
          .isEqualTo(latest.index() - 10);
      assertThat(latest.membership()).isEqualTo(cluster.node(id).status().membership());
    }
  }

  /**
   * The first automatic snapshot index of every node of a 3-node cluster with {@code jitter}, after
   * 80 commands proposed one at a time (so that apply batches stay small).
   */
  private java.util.Map<NodeId, Long> firstSnapshotIndexes(double jitter) {
    java.util.Map<NodeId, Long> first = new java.util.concurrent.ConcurrentHashMap<>();
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(17)
            .customize(
                b ->
                    b.snapshotThreshold(60)
                        .snapshotThresholdBytes(0)
                        .snapshotJitter(jitter)
                        .listener(
                            new RaftListener() {
                              @Override
                              public void onSnapshot(NodeId self, SnapshotMeta meta) {
                                first.putIfAbsent(self, meta.index());
                              }
                            }))
            .build();
    for (int i = 0; i < 80; i++) {
      cluster.await(cluster.node(cluster.awaitLeader()).propose(Bytes.ofUtf8("j-" + i)));
    }
    cluster.awaitCondition(
        () -> first.size() == 3, Duration.ofSeconds(30), "every node snapshots (seed 17)");
    return first;
  }

  @Test
  void jitterSpreadsTheMembersSnapshotsOverDifferentIndexes() {
    // jitter 0.5 over 3 members: n1 keeps 60, n2 snapshots after 50 entries, n3 after 40.
    java.util.Map<NodeId, Long> first = firstSnapshotIndexes(0.5);
    assertThat(first.get(NodeId.of("n1"))).as("seed 17").isBetween(60L, 64L);
    assertThat(first.get(NodeId.of("n2"))).as("seed 17").isBetween(50L, 54L);
    assertThat(first.get(NodeId.of("n3"))).as("seed 17").isBetween(40L, 44L);
  }

  @Test
  void withoutJitterEveryMemberSnapshotsAtTheThreshold() {
    java.util.Map<NodeId, Long> first = firstSnapshotIndexes(0);
    assertThat(first.values()).as("seed 17").allSatisfy(i -> assertThat(i).isBetween(60L, 64L));
  }

  @Test
  void theByteThresholdTriggersSnapshotsOfLargeCommandsOnly() throws IOException {
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(13)
            .customize(
                b ->
                    b.snapshotThreshold(0)
                        .snapshotThresholdBytes(16 * 1024)
                        .snapshotTrailingEntries(0))
            .build();
    // 100 small commands: about 3 KiB of entries in all, below the byte threshold.
    List<String> small = propose("s", 100);
    awaitSameState(cluster.ids(), small, "seed 13");
    cluster.advance(Duration.ofMillis(200));
    for (NodeId id : cluster.ids()) {
      assertThat(cluster.snapshotStorage(id).latest()).as("snapshot of %s", id).isEmpty();
    }
    // 40 commands of 1 KiB: the threshold is crossed about every 16 of them.
    RaftNode leader = cluster.node(cluster.awaitLeader());
    String pad = "x".repeat(1024);
    List<String> large = new ArrayList<>(small);
    for (int i = 0; i < 40; i++) {
      large.add("l-" + i + pad);
      cluster.await(leader.propose(Bytes.ofUtf8("l-" + i + pad)));
    }
    awaitSameState(cluster.ids(), large, "seed 13");
    cluster.advance(Duration.ofMillis(200));
    for (NodeId id : cluster.ids()) {
      SnapshotMeta latest = cluster.snapshotStorage(id).latest().orElseThrow();
      assertThat(latest.index()).as("snapshot of %s", id).isGreaterThan(100 + 16);
      assertThat(cluster.logStorage(id).firstIndex() - 1).isEqualTo(latest.index());
    }
  }

  @Test
  void partitionedFollowerCatchesUpByInstallSnapshotThenFromTheLog() throws IOException {
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(12)
            .customize(
                b ->
                    b.snapshotThreshold(50)
                        .snapshotTrailingEntries(10)
                        .snapshotChunkBytes(256)
                        .listener(
                            new RaftListener() {
                              @Override
                              public void onSnapshot(NodeId self, SnapshotMeta meta) {
                                events.add(self + "@" + meta.index());
                              }
                            }))
            .build();
    NodeId lagging = aFollower();
    List<String> before = propose("before", 10);
    cluster.network().isolate(lagging);
    List<String> during = propose("during", 200);
    NodeId leader = cluster.awaitLeader();
    assertThat(cluster.logStorage(leader).firstIndex())
        .isGreaterThan(cluster.logStorage(lagging).lastIndex() + 1);
    cluster.network().heal();
    List<String> after = propose("after", 30);

    List<String> all = new ArrayList<>(before);
    all.addAll(during);
    all.addAll(after);
    awaitSameState(cluster.ids(), all, "seed 12");
    assertThat(applied(lagging)).isEqualTo(all);
    // The follower's log restarted after the received snapshot and then grew from the log.
    SnapshotMeta received = cluster.snapshotStorage(lagging).latest().orElseThrow();
    assertThat(received.index()).isGreaterThan(during.size() / 2);
    assertThat(cluster.logStorage(lagging).firstIndex()).isGreaterThan(1);
    assertThat(events).as("listener events").contains(lagging + "@" + received.index());
    assertThat(cluster.logStorage(lagging).lastIndex())
        .isEqualTo(cluster.logStorage(cluster.awaitLeader()).lastIndex());
    cluster.awaitCondition(
        () ->
            cluster
                .node(cluster.awaitLeader())
                .status()
                .peers()
                .get(lagging)
                .state()
                .equals("replicate"),
        Duration.ofSeconds(5),
        "the leader replicates to the caught-up follower");
  }

  @Test
  void crashedFollowerRestartsPastCompactionAndCatchesUp() {
    cluster(13, 50, 10, 512);
    NodeId lagging = aFollower();
    propose("x", 5);
    cluster.crash(lagging);
    List<String> more = propose("y", 150);
    cluster.restart(lagging);
    List<String> last = propose("z", 5);
    List<String> expected = new ArrayList<>(more);
    expected.addAll(last);
    awaitSameState(cluster.ids(), expected, "seed 13");
  }

  @Test
  void nodesRestartFromSnapshotAndLogTailWithTheSameState() throws IOException {
    cluster(14, 50, 10, 1 << 20);
    List<String> commands = propose("r", 130);
    awaitSameState(cluster.ids(), commands, "seed 14");
    cluster.advance(Duration.ofMillis(100));
    List<String> expected = applied(cluster.ids().get(0));
    for (NodeId id : cluster.ids()) {
      cluster.crash(id);
    }
    for (NodeId id : cluster.ids()) {
      cluster.restart(id);
      // Restored from the snapshot before any election: the compacted prefix is in the state.
      long snapshot = cluster.snapshotStorage(id).latest().orElseThrow().index();
      assertThat(cluster.logStorage(id).firstIndex()).isGreaterThan(1);
      assertThat(cluster.node(id).status().appliedIndex()).isGreaterThanOrEqualTo(snapshot);
      assertThat(cluster.node(id).status().snapshotIndex()).isEqualTo(snapshot);
    }
    cluster.awaitLeader();
    List<String> more = propose("s", 5);
    List<String> all = new ArrayList<>(expected);
    all.addAll(more);
    awaitSameState(cluster.ids(), all, "seed 14");
    assertThat(applied(cluster.ids().get(0))).isEqualTo(all);
  }

  @Test
  void snapshotByHandCompactsTheLog() throws IOException {
    cluster(15, 0, 5, 1 << 20);
    NodeId first = cluster.ids().get(0);
    assertThatThrownBy(() -> cluster.await(cluster.node(first).snapshot()))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);

    propose("m", 40);
    NodeId leader = cluster.awaitLeader();
    RaftNode node = cluster.node(leader);
    assertThat(cluster.snapshotStorage(leader).latest()).isEmpty();
    SnapshotMeta meta = cluster.await(node.snapshot());
    cluster.advance(Duration.ofMillis(50));
    assertThat(meta.index()).isEqualTo(node.status().appliedIndex());
    assertThat(meta.term()).isEqualTo(node.status().term());
    assertThat(cluster.snapshotStorage(leader).latest()).contains(meta);
    assertThat(node.status().snapshotIndex()).isEqualTo(meta.index());
    assertThat(cluster.logStorage(leader).firstIndex()).isEqualTo(meta.index() - 5 + 1);
    // Nothing applied since: the same snapshot.
    assertThat(cluster.await(node.snapshot())).isEqualTo(meta);
  }

  @Test
  void brokenTransferIsRetriedUntilTheFollowerCatchesUp() {
    for (long seed = 16; seed < 16 + 6; seed++) {
      brokenTransferIsRetriedUntilTheFollowerCatchesUp(seed);
      cluster.close();
      cluster = null;
    }
  }

  private void brokenTransferIsRetriedUntilTheFollowerCatchesUp(long seed) {
    cluster(seed, 50, 10, 64);
    NodeId lagging = aFollower();
    cluster.network().isolate(lagging);
    List<String> commands = propose("b", 200);
    NodeId leader = cluster.awaitLeader();
    cluster.network().heal();
    cluster.awaitCondition(
        () -> "snapshot".equals(cluster.node(leader).status().peers().get(lagging).state()),
        Duration.ofSeconds(5),
        "the leader starts a snapshot transfer (seed " + seed + ")");
    // Cut the follower off mid-transfer long enough for the sender to give up, then heal.
    cluster.advance(Duration.ofMillis(3));
    cluster.network().isolate(lagging);
    cluster.advance(Duration.ofSeconds(3));
    cluster.network().heal();
    // Then a lossy network: chunks and acknowledgements go missing.
    cluster.network().dropRate(0.2);
    cluster.advance(Duration.ofSeconds(2));
    cluster.network().dropRate(0);
    awaitSameState(cluster.ids(), commands, "seed " + seed);
    assertThat(applied(lagging)).isEqualTo(applied(leader));
  }

  @Test
  void halfWrittenSnapshotIsIgnoredAtRestart() throws IOException {
    cluster(17, 50, 10, 1 << 20);
    List<String> commands = propose("h", 80);
    awaitSameState(cluster.ids(), commands, "seed 17");
    NodeId victim = aFollower();
    SnapshotMeta good = cluster.snapshotStorage(victim).latest().orElseThrow();
    cluster.crash(victim);
    SnapshotStorage.Sink torn =
        cluster.snapshotStorage(victim).create(new SnapshotMeta(10_000, 99, good.membership()));
    torn.stream().write(new byte[] {1, 2, 3});
    torn.close(); // never committed, as after a crash during the write
    cluster.restart(victim);
    assertThat(cluster.node(victim).status().snapshotIndex()).isEqualTo(good.index());
    List<String> more = propose("i", 5);
    List<String> all = new ArrayList<>(commands);
    all.addAll(more);
    awaitSameState(cluster.ids(), all, "seed 17");
    assertThat(applied(victim)).isEqualTo(all);
  }

  /** A state machine whose snapshot writer fails while {@code failing} is set. */
  private static final class FlakySnapshots extends WrappedSnapshots {
    volatile boolean failing = true;

    @Override
    SnapshotWriter wrap(SnapshotWriter writer) {
      return out -> {
        out.write(1);
        if (failing) {
          throw new IOException("disk full (test)");
        }
        writer.writeTo(out);
      };
    }
  }

  @Test
  void failedSnapshotWriteIsNotFatalAndLeavesNoSnapshot() throws IOException {
    List<FlakySnapshots> machines = new ArrayList<>();
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(19)
            .customize(b -> b.snapshotThreshold(0).snapshotThresholdBytes(0))
            .stateMachines(
                id -> {
                  FlakySnapshots m = new FlakySnapshots();
                  machines.add(m);
                  return m;
                })
            .build();
    propose("f", 10);
    NodeId leader = cluster.awaitLeader();
    RaftNode node = cluster.node(leader);
    assertThatThrownBy(() -> cluster.await(node.snapshot()))
        .isInstanceOf(CompletionException.class)
        .hasRootCauseMessage("disk full (test)");
    assertThat(cluster.snapshotStorage(leader).latest()).isEmpty();
    assertThat(cluster.logStorage(leader).firstIndex()).isEqualTo(1);
    propose("g", 5); // the node still works
    machines.forEach(m -> m.failing = false);
    SnapshotMeta meta = cluster.await(node.snapshot());
    assertThat(cluster.snapshotStorage(leader).latest()).contains(meta);
  }

  /** A crash after storing a received snapshot but before resetting the log to it. */
  @Test
  void snapshotNewerThanTheWholeLogRestartsTheLogAfterIt() throws IOException {
    cluster(20, 0, 0, 1 << 20);
    NodeId victim = aFollower();
    propose("p", 5);
    cluster.crash(victim);
    List<String> commands = propose("q", 30);
    NodeId leader = cluster.awaitLeader();
    SnapshotMeta meta = cluster.await(cluster.node(leader).snapshot());
    assertThat(meta.index()).isGreaterThan(cluster.logStorage(victim).lastIndex());
    try (SnapshotStorage.Sink sink = cluster.snapshotStorage(victim).create(meta);
        java.io.InputStream in = cluster.snapshotStorage(leader).open(meta)) {
      in.transferTo(sink.stream());
      sink.commit();
    }
    cluster.restart(victim);
    assertThat(cluster.logStorage(victim).firstIndex()).isEqualTo(meta.index() + 1);
    assertThat(applied(victim)).containsAll(commands);
    List<String> more = propose("r", 5);
    List<String> all = new ArrayList<>(applied(leader));
    awaitSameState(cluster.ids(), more, "seed 20");
    assertThat(applied(victim)).isEqualTo(applied(leader)).containsAll(all);
  }

  @Test
  void logCompactedBeyondTheNewestSnapshotFailsClearlyAtStart() {
    cluster(18, 0, 0, 1 << 20);
    propose("c", 10);
    NodeId victim = aFollower();
    cluster.crash(victim);
    cluster.logStorage(victim).compactUpTo(5);
    assertThatThrownBy(() -> cluster.restart(victim))
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause()
        .hasMessageContaining("no snapshot covers it");
  }
}
