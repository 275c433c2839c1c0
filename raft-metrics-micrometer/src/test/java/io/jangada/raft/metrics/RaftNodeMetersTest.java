package io.jangada.raft.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.grpc.GrpcTransportMetrics;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.InMemoryCluster;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each meter moves when its event happens (InMemoryCluster in virtual time, seeded). */
class RaftNodeMetersTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<NodeId, RaftNodeMeters> bound = new HashMap<>();
  private InMemoryCluster cluster;

  @AfterEach
  void tearDown() {
    bound.values().forEach(RaftNodeMeters::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start(InMemoryCluster.Builder builder, long seed) {
    System.out.println("seed " + seed);
    cluster = builder.seed(seed).build();
    for (NodeId id : cluster.ids()) {
      bound.put(id, RaftNodeMeters.bind(registry, cluster.node(id), "test"));
    }
  }

  private double counter(String name, NodeId node) {
    return registry
        .get("jangada." + name)
        .tags("cluster", "test", "node", node.value())
        .counter()
        .count();
  }

  private double gauge(String name, NodeId node, String... tags) {
    return registry
        .get("jangada." + name)
        .tags("cluster", "test", "node", node.value())
        .tags(tags)
        .gauge()
        .value();
  }

  private long timerCount(String name, NodeId node) {
    return registry.get("jangada." + name).tags("node", node.value()).timer().count();
  }

  private NodeId aFollower(NodeId leader) {
    return cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void anElectionIncrementsElectionsAndLeaderChangesAndSetsRoleAndTerm() {
    start(InMemoryCluster.builder().nodes(3), 21);
    for (NodeId id : cluster.ids()) {
      assertThat(counter("elections", id)).isZero();
      assertThat(gauge("role", id, "role", "FOLLOWER")).isEqualTo(1);
    }
    NodeId leader = cluster.awaitLeader();
    assertThat(counter("elections", leader)).isGreaterThanOrEqualTo(1);
    assertThat(counter("elections.won", leader)).isEqualTo(1);
    assertThat(counter("leader.changes", leader)).isEqualTo(1);
    assertThat(gauge("role", leader, "role", "LEADER")).isEqualTo(1);
    assertThat(gauge("role", leader, "role", "FOLLOWER")).isZero();
    assertThat(gauge("term", leader)).isEqualTo(cluster.node(leader).status().term());
  }

  @Test
  void aPartitionedFollowerRaisesItsReplicationLagUntilItCatchesUp() {
    start(InMemoryCluster.builder().nodes(3), 22);
    NodeId leader = cluster.awaitLeader();
    NodeId follower = aFollower(leader);
    RaftNode node = cluster.node(leader);
    cluster.await(node.propose(Bytes.ofUtf8("warm-up")));
    cluster.awaitCondition(
        () -> gauge("replication.lag", leader, "peer", follower.value()) == 0,
        Duration.ofSeconds(5),
        "the follower is caught up");
    assertThat(gauge("replication.lag", follower, "peer", leader.value())).isNaN();

    cluster.network().isolate(follower);
    for (int i = 0; i < 10; i++) {
      cluster.await(node.propose(Bytes.ofUtf8("v" + i)));
    }
    assertThat(gauge("replication.lag", leader, "peer", follower.value()))
        .isGreaterThanOrEqualTo(10);
    assertThat(gauge("commit.index", leader)).isEqualTo(node.status().commitIndex());
    assertThat(gauge("last.index", leader)).isEqualTo(node.status().lastIndex());

    cluster.network().heal();
    cluster.awaitCondition(
        () -> gauge("replication.lag", leader, "peer", follower.value()) == 0,
        Duration.ofSeconds(10),
        "the follower catches up after the partition heals");
  }

  @Test
  void replicationLagGaugesFollowMembershipChanges() {
    start(InMemoryCluster.builder().nodes(3), 24);
    NodeId leader = cluster.awaitLeader();
    NodeId removed = aFollower(leader);
    NodeId added = NodeId.of("n4");
    RaftNode node = cluster.node(leader);
    assertThat(lagGaugePeers(leader)).doesNotContain(added.value()).contains(removed.value());

    // A joining node knows no configuration when bound: it has no lag gauge yet.
    bound.put(added, RaftNodeMeters.bind(registry, cluster.join(added), "test"));
    assertThat(lagGaugePeers(added)).isEmpty();
    cluster.await(node.addLearner(added, "mem:n4"));
    cluster.awaitCondition(
        () ->
            gaugeOrNull("replication.lag", leader, "peer", added.value()) != null
                && gauge("replication.lag", leader, "peer", added.value()) == 0,
        Duration.ofSeconds(5),
        "the leader has a lag gauge for the new learner, which catches up");
    cluster.awaitCondition(
        () -> lagGaugePeers(added).size() == 3,
        Duration.ofSeconds(5),
        "the learner has a gauge for each voter once it receives the configuration");

    cluster.await(node.removeMember(removed));
    for (NodeId id : List.of(leader, added)) {
      cluster.awaitCondition(
          () -> !lagGaugePeers(id).contains(removed.value()),
          Duration.ofSeconds(5),
          id + " drops the removed member's gauge");
      assertThat(lagGaugePeers(id)).hasSize(2).doesNotContain(id.value());
    }
  }

  private List<String> lagGaugePeers(NodeId node) {
    return registry.find("jangada.replication.lag").tags("node", node.value()).gauges().stream()
        .map(g -> g.getId().getTag("peer"))
        .sorted()
        .toList();
  }

  private Double gaugeOrNull(String name, NodeId node, String... tags) {
    Gauge g = registry.find("jangada." + name).tags("node", node.value()).tags(tags).gauge();
    return g == null ? null : g.value();
  }

  @Test
  void snapshotsRecordTheirDurationsAndCountTakenSentAndInstalled() {
    start(
        InMemoryCluster.builder()
            .nodes(3)
            .customize(
                b -> b.snapshotThreshold(0).snapshotThresholdBytes(0).snapshotTrailingEntries(0)),
        23);
    NodeId leader = cluster.awaitLeader();
    NodeId follower = aFollower(leader);
    RaftNode node = cluster.node(leader);
    cluster.network().isolate(follower);
    for (int i = 0; i < 5; i++) {
      cluster.await(node.propose(Bytes.ofUtf8("v" + i)));
    }
    long index = cluster.await(node.snapshot()).index();
    assertThat(timerCount("snapshot.write", leader)).isEqualTo(1);
    assertThat(counter("snapshots.taken", leader)).isEqualTo(1);
    assertThat(gauge("snapshot.index", leader)).isEqualTo(index);

    cluster.network().heal(); // the follower is behind the compacted log: it needs the snapshot
    cluster.awaitCondition(
        () -> counter("snapshots.installed", follower) == 1,
        Duration.ofSeconds(10),
        "the follower installs the leader's snapshot");
    assertThat(timerCount("snapshot.install", follower)).isEqualTo(1);
    assertThat(counter("snapshots.sent", leader)).isEqualTo(1);
  }

  @Test
  void proposalsSyncsAppliesReadsAndDropsAreMeasured() {
    start(InMemoryCluster.builder().nodes(3), 24);
    NodeId leader = cluster.awaitLeader();
    RaftNode node = cluster.node(leader);
    long syncsBefore = timerCount("log.sync", leader);
    for (int i = 0; i < 4; i++) {
      cluster.await(node.propose(Bytes.ofUtf8("v" + i)));
    }
    cluster.await(node.query(Bytes.ofUtf8("q")));
    assertThat(timerCount("propose.commit", leader)).isEqualTo(4);
    assertThat(timerCount("log.sync", leader)).isGreaterThanOrEqualTo(syncsBefore + 4);
    assertThat(timerCount("apply", leader)).isGreaterThanOrEqualTo(4);
    assertThat(timerCount("read", leader)).isEqualTo(1);
    assertThat(
            registry
                .get("jangada.log.sync.batch.entries")
                .tags("node", leader.value())
                .summary()
                .totalAmount())
        .isGreaterThanOrEqualTo(4);

    Bytes huge = Bytes.wrapUnsafe(new byte[RaftNode.Builder.DEFAULT_MAX_PROPOSAL_BYTES + 1]);
    assertThatThrownBy(() -> cluster.await(node.propose(huge)))
        .hasCauseInstanceOf(ProposalDroppedException.class);
    assertThat(
            registry
                .get("jangada.proposals.dropped")
                .tags("node", leader.value(), "reason", "too_large")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void closeRemovesTheMetersAndStopsCounting() {
    start(InMemoryCluster.builder().nodes(3), 25);
    NodeId leader = cluster.awaitLeader();
    RaftNodeMeters meters = bound.remove(leader);
    meters.close();
    assertThat(registry.getMeters())
        .extracting(Meter::getId)
        .noneMatch(id -> leader.value().equals(id.getTag("node")));
    cluster.await(cluster.node(leader).propose(Bytes.ofUtf8("after close")));
    assertThat(registry.find("jangada.propose.commit").tags("node", leader.value()).timer())
        .isNull();
  }

  @Test
  void grpcTransportMetersCountRejectsReconnectsAndDrops() {
    GrpcTransportMeters meters = new GrpcTransportMeters(registry, "test");
    NodeId a = NodeId.of("a");
    NodeId b = NodeId.of("b");
    meters.frameRejected(a, GrpcTransportMetrics.RejectReason.WRONG_CLUSTER);
    meters.frameRejected(a, GrpcTransportMetrics.RejectReason.WRONG_CLUSTER);
    meters.reconnecting(a, b);
    meters.messageDropped(a, b);
    assertThat(
            registry
                .get("jangada.grpc.frames.rejected")
                .tags("cluster", "test", "node", "a", "reason", "wrong_cluster")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(registry.get("jangada.grpc.reconnects").tags("peer", "b").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("jangada.grpc.messages.dropped").tags("peer", "b").counter().count())
        .isEqualTo(1);
  }
}
