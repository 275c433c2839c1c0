package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.UnsafeRecovery;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forcing a configuration on a survivor after the permanent loss of a majority. */
class UnsafeRecoveryTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private InMemoryCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private List<String> applied(NodeId id) {
    return ((RecordingStateMachine) cluster.stateMachine(id))
        .applied().stream().map(Bytes::toUtf8).collect(Collectors.toList());
  }

  @Test
  void aSurvivorOfALostMajorityServesAgainAloneWithEverythingItHad() throws Exception {
    long seed = 11;
    System.out.println("seed " + seed);
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(seed)
            .customize(b -> b.snapshotThreshold(7))
            .build();
    NodeId leader = cluster.awaitLeader();
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // past a snapshot, with a log tail after it
      written.add("w" + i);
      cluster.await(cluster.node(leader).propose(Bytes.ofUtf8("w" + i)));
    }
    NodeId survivor = leader.equals(N1) ? N2 : N1;
    cluster.awaitCondition(
        () -> applied(survivor).size() == written.size(), Duration.ofSeconds(10), "replicated");

    // The two others are lost for good; the survivor alone cannot commit anything.
    for (NodeId lost : cluster.ids()) {
      if (!lost.equals(survivor)) {
        cluster.crash(lost);
      }
    }
    CompletableFuture<?> stuck = cluster.node(survivor).propose(Bytes.ofUtf8("stuck"));
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.node(survivor).status().isLeader()).isFalse();

    cluster.crash(survivor); // stopped (and loses what was not synced)
    InMemoryLogStorage log = cluster.logStorage(survivor);
    InMemorySnapshotStorage snapshots = cluster.snapshotStorage(survivor);
    InMemoryStateStorage state = cluster.stateStorage(survivor);
    SnapshotMeta forced =
        UnsafeRecovery.forceMembership(
            Membership.ofVoters(survivor), new RecordingStateMachine(), log, state, snapshots);
    assertThat(forced.membership()).isEqualTo(Membership.ofVoters(survivor));
    assertThat(snapshots.latest()).contains(forced);
    assertThat(log.lastIndex()).isEqualTo(forced.index());
    assertThat(state.load().commit()).isEqualTo(forced.index());

    cluster.restart(survivor);
    cluster.awaitCondition(
        () -> cluster.node(survivor).status().isLeader(), Duration.ofSeconds(10), "leads alone");
    assertThat(cluster.node(survivor).status().membership())
        .isEqualTo(Membership.ofVoters(survivor));
    assertThat(cluster.node(survivor).status().membershipIndex()).isEqualTo(forced.index());
    assertThat(applied(survivor)).containsSubsequence(written);
    cluster.await(cluster.node(survivor).propose(Bytes.ofUtf8("after")));
    assertThat(applied(survivor)).endsWith("after");
    assertThat(stuck).isCompletedExceptionally();
  }

  @Test
  void refusesANodeWithNothingToRecoverAndAnEmptyOrJointTarget() {
    InMemoryLogStorage log = new InMemoryLogStorage();
    InMemoryStateStorage state = new InMemoryStateStorage();
    InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
    assertThatThrownBy(
            () ->
                UnsafeRecovery.forceMembership(
                    Membership.ofVoters(N3), new RecordingStateMachine(), log, state, snapshots))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nothing to recover");
    assertThatThrownBy(
            () ->
                UnsafeRecovery.forceMembership(
                    Membership.empty(), new RecordingStateMachine(), log, state, snapshots))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                UnsafeRecovery.forceMembership(
                    Membership.ofVoters(N1, N2).enterJoint(Membership.ofVoters(N2, N3)),
                    new RecordingStateMachine(),
                    log,
                    state,
                    snapshots))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("simple");
  }
}
