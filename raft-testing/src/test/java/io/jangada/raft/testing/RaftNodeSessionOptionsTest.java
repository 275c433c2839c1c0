package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.Committed;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.SessionLimits;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session options through {@link RaftNode}: forwarding switched off, expiry on the cluster's
 * virtual clock, and named sessions found again from another node.
 */
class RaftNodeSessionOptionsTest {

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

  private NodeId aFollower(NodeId leader) {
    return cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void withForwardingOffAFollowerRefusesSessionRequestsNamingTheLeader() {
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(11)
            .customize(b -> b.forwardSessionProposals(false))
            .build();
    NodeId leader = cluster.awaitLeader();
    RaftNode follower = cluster.node(aFollower(leader));
    cluster.awaitCondition(
        () -> follower.status().leader().isPresent(), Duration.ofSeconds(5), "a known leader");

    assertThatThrownBy(() -> cluster.await(follower.openSession()))
        .hasCauseInstanceOf(NotLeaderException.class)
        .satisfies(
            e ->
                assertThat(((NotLeaderException) e.getCause()).leaderHint())
                    .isEqualTo(Optional.of(leader)));
    long client = cluster.await(cluster.node(leader).openSession());
    assertThatThrownBy(
            () -> cluster.await(follower.propose(Bytes.ofUtf8("x"), new SessionInfo(client, 1, 1))))
        .hasCauseInstanceOf(NotLeaderException.class);
    assertThatThrownBy(() -> cluster.await(follower.closeSession(client)))
        .hasCauseInstanceOf(NotLeaderException.class);
    assertThatThrownBy(() -> cluster.await(follower.openSession("name")))
        .hasCauseInstanceOf(NotLeaderException.class);

    // Nothing the follower refused reached the log; the leader still serves the session.
    Committed done =
        cluster.await(
            cluster.node(leader).propose(Bytes.ofUtf8("x"), new SessionInfo(client, 1, 1)));
    cluster.awaitCondition(
        () -> follower.status().appliedIndex() >= done.index(),
        Duration.ofSeconds(5),
        "the follower applied the leader's command");
    assertThat(timesApplied(follower.id(), "x")).isEqualTo(1);
  }

  @Test
  void sessionsExpireOnTheClustersVirtualClockNotOnTheMachinesClock() {
    Duration timeout = Duration.ofSeconds(30);
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(12)
            .customize(b -> b.sessionLimits(new SessionLimits(timeout, 100, 1 << 20)))
            .build();
    RaftNode leader = cluster.node(cluster.awaitLeader());
    long client = cluster.await(leader.openSession());
    cluster.await(leader.propose(Bytes.ofUtf8("a"), new SessionInfo(client, 1, 1)));
    assertThat(cluster.scheduler().currentTimeMillis())
        .isEqualTo(cluster.scheduler().elapsed().toMillis())
        .isLessThan(System.currentTimeMillis() / 2); // virtual, not the epoch clock

    // 20 virtual seconds idle (far less in real time): still live.
    cluster.advance(Duration.ofSeconds(20));
    cluster.await(leader.propose(Bytes.ofUtf8("b"), new SessionInfo(client, 2, 2)));

    // 31 virtual seconds idle, measured only by the virtual clock: another client's entry expires
    // it; the wall clock moved by a fraction of the timeout.
    long wallStart = System.nanoTime();
    cluster.advance(timeout.plusSeconds(1));
    cluster.await(leader.openSession());
    assertThat(Duration.ofNanos(System.nanoTime() - wallStart)).isLessThan(timeout);
    assertThatThrownBy(
            () -> cluster.await(leader.propose(Bytes.ofUtf8("c"), new SessionInfo(client, 3, 3))))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(SessionExpiredException.class);
    assertThat(timesApplied(leader.id(), "c")).isZero();
    assertThat(timesApplied(leader.id(), "b")).isEqualTo(1);
  }

  @Test
  void aNamedSessionOpenedOnOneNodeIsResumedOnAnotherAndItsRetryAppliesOnce() {
    cluster = InMemoryCluster.builder().nodes(3).seed(13).build();
    NodeId leader = cluster.awaitLeader();
    NodeId follower = aFollower(leader);

    long first = cluster.await(cluster.node(follower).openSession("idem:order-7"));
    Committed applied =
        cluster.await(
            cluster.node(follower).propose(Bytes.ofUtf8("pay"), new SessionInfo(first, 1, 1)));

    // The retry reaches the leader, which knows only the name.
    long resumed = cluster.await(cluster.node(leader).openSession("idem:order-7"));
    assertThat(resumed).isEqualTo(first);
    Committed retry =
        cluster.await(
            cluster.node(leader).propose(Bytes.ofUtf8("pay"), new SessionInfo(resumed, 1, 1)));
    assertThat(retry.result()).isEqualTo(applied.result());
    assertThat(cluster.await(cluster.node(leader).openSession("idem:order-8"))).isNotEqualTo(first);
    cluster.awaitCondition(
        () -> cluster.ids().stream().allMatch(id -> timesApplied(id, "pay") == 1),
        Duration.ofSeconds(10),
        "every node applied pay exactly once");
  }
}
