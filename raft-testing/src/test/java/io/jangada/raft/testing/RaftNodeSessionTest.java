package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.util.Collections;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Client sessions through {@link RaftNode}: forwarding from a follower, deduplication of retries on
 * any node, and the session table carried by snapshots across restarts and InstallSnapshot.
 */
class RaftNodeSessionTest {

  private InMemoryCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private int timesApplied(NodeId id, String command) {
    return Collections.frequency(
        ((RecordingStateMachine) cluster.stateMachine(id)).applied(), Bytes.ofUtf8(command));
  }

  private NodeId aFollower() {
    NodeId leader = cluster.awaitLeader();
    return cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void aFollowerForwardsSessionRequestsAndRetriesApplyOnce() {
    cluster = InMemoryCluster.builder().nodes(3).seed(5).build();
    NodeId leader = cluster.awaitLeader();
    NodeId follower = aFollower();

    long client = cluster.await(cluster.node(follower).openSession());
    Committed first =
        cluster.await(
            cluster.node(follower).propose(Bytes.ofUtf8("inc"), new SessionInfo(client, 1, 1)));
    assertThat(first.result().toUtf8()).isEqualTo("1");

    // A retry of the same sequence, at the leader and at the follower, returns the same result.
    Committed retry =
        cluster.await(
            cluster.node(leader).propose(Bytes.ofUtf8("inc"), new SessionInfo(client, 1, 1)));
    Committed again =
        cluster.await(
            cluster.node(follower).propose(Bytes.ofUtf8("inc"), new SessionInfo(client, 1, 1)));
    assertThat(retry.result()).isEqualTo(first.result());
    assertThat(again.result()).isEqualTo(first.result());
    assertThat(retry.index()).isGreaterThan(first.index());

    Committed second =
        cluster.await(
            cluster.node(follower).propose(Bytes.ofUtf8("inc"), new SessionInfo(client, 2, 2)));
    assertThat(second.result().toUtf8()).isEqualTo("2");
    cluster.awaitCondition(
        () -> cluster.ids().stream().allMatch(id -> timesApplied(id, "inc") == 2),
        java.time.Duration.ofSeconds(10),
        "every node applied inc exactly twice");
  }

  @Test
  void aClosedSessionFailsWithSessionExpired() {
    cluster = InMemoryCluster.builder().nodes(3).seed(6).build();
    RaftNode leader = cluster.node(cluster.awaitLeader());
    long client = cluster.await(leader.openSession());
    cluster.await(leader.propose(Bytes.ofUtf8("x"), new SessionInfo(client, 1, 1)));
    cluster.await(leader.closeSession(client));

    assertThatThrownBy(
            () -> cluster.await(leader.propose(Bytes.ofUtf8("x"), new SessionInfo(client, 1, 1))))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(SessionExpiredException.class)
        .cause()
        .hasMessageStartingWith("session expired: the outcome of sequence 1 is unknown");
    assertThat(timesApplied(leader.id(), "x")).isEqualTo(1);
  }

  @Test
  void theSessionTableSurvivesSnapshotsRestartsAndInstallSnapshot() {
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(7)
            .customize(
                b -> b.snapshotThreshold(0).snapshotThresholdBytes(0).snapshotTrailingEntries(0))
            .build();
    NodeId leaderId = cluster.awaitLeader();
    NodeId lagging = aFollower();
    RaftNode leader = cluster.node(leaderId);
    long client = cluster.await(leader.openSession());
    Committed first =
        cluster.await(leader.propose(Bytes.ofUtf8("once"), new SessionInfo(client, 1, 1)));
    cluster.awaitCondition(
        () -> cluster.node(lagging).status().appliedIndex() >= first.index(),
        java.time.Duration.ofSeconds(10),
        "the follower applied the command");
    cluster.crash(lagging);

    // The others go on, snapshot and compact their logs away: the lagging node needs a snapshot.
    for (int i = 0; i < 5; i++) {
      cluster.await(leader.propose(Bytes.ofUtf8("other-" + i)));
    }
    for (NodeId id : cluster.ids()) {
      if (!id.equals(lagging)) {
        cluster.await(cluster.node(id).snapshot());
      }
    }
    assertThat(cluster.logStorage(leaderId).firstIndex()).isGreaterThan(first.index() + 1);

    // Restart everything from snapshots; the lagging node gets the leader's by InstallSnapshot.
    for (NodeId id : cluster.ids()) {
      cluster.crash(id);
    }
    for (NodeId id : cluster.ids()) {
      cluster.restart(id);
    }
    cluster.awaitLeader();
    for (NodeId id : cluster.ids()) {
      Committed retry =
          cluster.await(
              cluster.node(id).propose(Bytes.ofUtf8("once"), new SessionInfo(client, 1, 1)));
      assertThat(retry.result()).as("retry at %s", id).isEqualTo(first.result());
    }
    cluster.awaitCondition(
        () -> cluster.ids().stream().allMatch(id -> timesApplied(id, "once") == 1),
        java.time.Duration.ofSeconds(10),
        "every node holds the command exactly once");
    assertThat(cluster.snapshotStorage(lagging).latest()).isPresent();
  }
}
