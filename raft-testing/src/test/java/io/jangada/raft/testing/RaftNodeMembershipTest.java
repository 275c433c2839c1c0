package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.CommittedMembership;
import io.jangada.raft.ConcurrentMembershipChangeException;
import io.jangada.raft.LearnerNotCaughtUpException;
import io.jangada.raft.MembershipChangeException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.RaftStatus.MemberRole;
import io.jangada.raft.Role;
import io.jangada.raft.UnknownMemberException;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Membership changes through {@link RaftNode} on an {@link InMemoryCluster}, in virtual time. */
class RaftNodeMembershipTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");
  private static final NodeId N5 = NodeId.of("n5");
  private static final NodeId N6 = NodeId.of("n6");

  private InMemoryCluster cluster;
  private final List<String> events = new ArrayList<>();

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private InMemoryCluster cluster(int nodes, long seed, RaftConfig config) {
    System.out.println("seed " + seed);
    cluster =
        InMemoryCluster.builder()
            .nodes(nodes)
            .seed(seed)
            .config(config)
            .customize(
                b ->
                    b.listener(
                        new RaftListener() {
                          @Override
                          public void onMembershipChange(
                              NodeId self, Membership membership, long index) {
                            events.add(self + "@" + index + " " + membership.describe());
                          }
                        }))
            .build();
    return cluster;
  }

  private InMemoryCluster cluster(int nodes, long seed) {
    return cluster(nodes, seed, RaftConfig.builder().build());
  }

  private RaftNode leader() {
    return cluster.node(cluster.awaitLeader());
  }

  private <T> CompletableFuture<T> settle(CompletableFuture<T> future) {
    cluster.awaitCondition(future::isDone, Duration.ofSeconds(10), "the request completes");
    return future;
  }

  private static Throwable failure(CompletableFuture<?> future) {
    try {
      future.join();
      throw new AssertionError("expected a failure, got " + future.join());
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  /**
   * Applies {@code change} at the current leader until it completes, retrying what a client should
   * retry (no leader, not ready, in progress, not caught up, outcome unknown) until {@code done}
   * holds for the committed configuration.
   */
  private Membership changeUntil(
      Function<RaftNode, CompletableFuture<CommittedMembership>> change,
      Predicate<Membership> done,
      String what) {
    long deadline = cluster.scheduler().nanoTime() + Duration.ofSeconds(60).toNanos();
    while (cluster.scheduler().nanoTime() < deadline) {
      Optional<NodeId> leaderId = cluster.leader();
      if (leaderId.isPresent()) {
        RaftStatus status = cluster.node(leaderId.get()).status();
        if (status.commitIndex() >= status.membershipIndex() && done.test(status.membership())) {
          return status.membership();
        }
        CompletableFuture<CommittedMembership> f = change.apply(cluster.node(leaderId.get()));
        cluster.awaitCondition(f::isDone, Duration.ofSeconds(10), what);
        if (!f.isCompletedExceptionally() && done.test(f.join().membership())) {
          return f.join().membership();
        }
      }
      cluster.advance(Duration.ofMillis(100));
    }
    throw new AssertionError(what + " did not complete within 60 s of virtual time");
  }

  private Membership addAndPromote(NodeId node) {
    if (!cluster.ids().contains(node)) {
      cluster.join(node);
    }
    changeUntil(l -> l.addLearner(node, "mem:" + node), m -> m.contains(node), "add " + node);
    return changeUntil(l -> l.promote(node), m -> m.isVoter(node), "promote " + node);
  }

  private Membership remove(NodeId node) {
    Membership m = changeUntil(l -> l.removeMember(node), c -> !c.contains(node), "remove " + node);
    cluster.crash(node); // a removed node is stopped
    return m;
  }

  @Test
  void addLearnerPromoteAndRemoveCompleteWithTheCommittedConfiguration() {
    cluster(3, 1);
    cluster.join(N4);
    RaftNode leader = leader();
    CommittedMembership added = cluster.await(leader.addLearner(N4, "mem:n4"));
    assertThat(added.membership().learners()).containsExactly(N4);
    assertThat(added.membership().address(N4)).contains("mem:n4");
    assertThat(leader.status().membershipIndex()).isEqualTo(added.index());
    assertThat(leader.status().members())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                N1, MemberRole.VOTER,
                N2, MemberRole.VOTER,
                N3, MemberRole.VOTER,
                N4, MemberRole.LEARNER));
    cluster.await(leader.propose(Bytes.ofUtf8("x")));
    cluster.awaitCondition(
        () -> ((RecordingStateMachine) cluster.stateMachine(N4)).applied().size() == 1,
        Duration.ofSeconds(5),
        "the learner applies the log");
    assertThat(cluster.node(N4).status().role()).isEqualTo(Role.LEARNER);
    assertThat(cluster.node(N4).status().membership()).isEqualTo(added.membership());

    CommittedMembership promoted = cluster.await(leader.promote(N4));
    assertThat(promoted.membership().voters()).containsExactly(N1, N2, N3, N4);
    assertThat(promoted.index()).isGreaterThan(added.index());
    cluster.awaitCondition(
        () -> cluster.node(N4).status().role() == Role.FOLLOWER,
        Duration.ofSeconds(5),
        "the promoted node follows");

    NodeId follower = leader.status().peers().keySet().iterator().next();
    CommittedMembership removed = cluster.await(leader.removeMember(follower));
    assertThat(removed.membership().contains(follower)).isFalse();
    assertThat(events).anyMatch(e -> e.startsWith("n4@" + added.index()));
    assertThat(events).anyMatch(e -> e.startsWith(leader.id() + "@" + removed.index()));
  }

  @Test
  void refusalsAreTyped() {
    cluster(3, 2, RaftConfig.builder().maxPromotionLag(0).build());
    RaftNode leader = leader();
    cluster.await(leader.propose(Bytes.ofUtf8("first")));
    RaftNode follower =
        cluster.node(
            cluster.ids().stream().filter(id -> !id.equals(leader.id())).findFirst().get());

    assertThat(failure(settle(follower.addLearner(N4, "mem:n4"))))
        .isInstanceOf(NotLeaderException.class);
    assertThat(failure(settle(leader.promote(N4)))).isInstanceOf(UnknownMemberException.class);
    assertThat(failure(settle(leader.removeMember(N5)))).isInstanceOf(UnknownMemberException.class);
    assertThat(failure(settle(leader.promote(leader.id()))))
        .isInstanceOf(MembershipChangeException.class)
        .extracting(e -> ((MembershipChangeException) e).reason())
        .isEqualTo(MembershipChangeException.Reason.INVALID);
    long index = leader.status().membershipIndex();
    Membership current = leader.status().membership();
    assertThat(
            failure(
                settle(
                    leader.changeMembership(
                        current.withLearner(N4, Optional.of("mem:n4")), index + 1))))
        .isInstanceOf(ConcurrentMembershipChangeException.class)
        .extracting(e -> ((MembershipChangeException) e).reason())
        .isEqualTo(MembershipChangeException.Reason.STALE_CONFIGURATION);

    // Two changes at once: the second is refused while the first is uncommitted, never queued.
    cluster.join(N4);
    CompletableFuture<CommittedMembership> first = leader.addLearner(N4, "mem:n4");
    CompletableFuture<CommittedMembership> second = leader.addLearner(N5, "mem:n5");
    cluster.await(first);
    assertThat(failure(second))
        .isInstanceOf(ConcurrentMembershipChangeException.class)
        .extracting(e -> ((MembershipChangeException) e).reason())
        .isEqualTo(MembershipChangeException.Reason.CHANGE_IN_PROGRESS);

    // A learner cut off from the leader falls behind and cannot be promoted.
    cluster.network().isolate(N4);
    cluster.await(leader.propose(Bytes.ofUtf8("while n4 is away")));
    assertThat(failure(settle(leader.promote(N4)))).isInstanceOf(LearnerNotCaughtUpException.class);
  }

  @Test
  void aLearnerTheLeaderNeverHeardFromIsNotPromoted() {
    cluster(3, 6); // the default lag limit (1,000 entries) is far above this short log
    RaftNode leader = leader();
    cluster.await(leader.addLearner(N6, "mem:n6")); // never started
    // Promoting it would leave 4 voters, one of which cannot vote (it does not know the
    // configuration): one more failure and no leader could ever be elected.
    assertThat(failure(settle(leader.promote(N6))))
        .isInstanceOf(LearnerNotCaughtUpException.class)
        .hasMessageContaining("n6 has not caught up");
    cluster.join(N6);
    cluster.awaitCondition(
        () -> cluster.node(N6).status().membership().contains(N6),
        Duration.ofSeconds(5),
        "n6 receives the configuration adding it");
    cluster.await(leader.promote(N6));
  }

  @Test
  void growThreeToFiveAndShrinkBackWhileClientsWrite() {
    long seed = 3;
    cluster(3, seed);
    cluster.awaitLeader();
    MembershipWorkload clients = new MembershipWorkload(cluster, seed);
    clients.start(3);
    cluster.advance(Duration.ofMillis(300));

    addAndPromote(N4);
    Membership five = addAndPromote(N5);
    assertThat(five.voters()).containsExactly(N1, N2, N3, N4, N5);
    cluster.advance(Duration.ofMillis(300));

    NodeId oldLeader = cluster.awaitLeader();
    remove(oldLeader); // the leader removes itself, then hands over
    NodeId other =
        cluster.ids().stream()
            .filter(id -> cluster.isRunning(id) && !id.equals(cluster.awaitLeader()))
            .findFirst()
            .orElseThrow();
    Membership three = remove(other);
    assertThat(three.voters()).hasSize(3);
    cluster.advance(Duration.ofMillis(300));

    clients.stop();
    assertThat(clients.acknowledgedWrites()).isPositive();
    clients.verify(cluster.awaitLeader(), "grow 3 to 5, shrink to 3, seed " + seed);
  }

  @Test
  void replaceAKilledNodeWhileClientsWrite() {
    long seed = 4;
    cluster(3, seed);
    NodeId leader = cluster.awaitLeader();
    MembershipWorkload clients = new MembershipWorkload(cluster, seed);
    clients.start(3);
    cluster.advance(Duration.ofMillis(300));

    NodeId dead = leader.equals(N2) ? N3 : N2;
    cluster.crash(dead); // the machine is gone for good
    addAndPromote(N6);
    Membership replaced = remove(dead);
    assertThat(replaced.voters()).hasSize(3).contains(N6).doesNotContain(dead);
    cluster.advance(Duration.ofMillis(500));

    clients.stop();
    assertThat(clients.acknowledgedWrites()).isPositive();
    clients.verify(cluster.awaitLeader(), "replace a killed node, seed " + seed);
  }

  @Test
  void aJointChangeSwapsTwoVotersAtOnce() {
    long seed = 5;
    cluster(3, seed);
    MembershipWorkload clients = new MembershipWorkload(cluster, seed);
    clients.start(2);
    for (NodeId n : List.of(N4, N5)) {
      cluster.join(n);
      changeUntil(l -> l.addLearner(n, "mem:" + n), m -> m.contains(n), "add " + n);
    }
    cluster.advance(Duration.ofMillis(300));
    Set<NodeId> target = Set.of(cluster.awaitLeader(), N4, N5);
    Membership done =
        changeUntil(
            l -> {
              Membership.Builder b = Membership.builder();
              for (NodeId id : target) {
                b.voter(id, l.status().membership().address(id).orElse("mem:" + id));
              }
              return l.changeMembership(b.build(), l.status().membershipIndex());
            },
            m -> m.voters().equals(new java.util.TreeSet<>(target)) && m.learners().isEmpty(),
            "swap two voters");
    assertThat(done.isJoint()).isFalse();
    assertThat(events).anyMatch(e -> e.contains("outgoing") || e.contains("joint"));
    cluster.advance(Duration.ofMillis(300));
    clients.stop();
    clients.verify(cluster.awaitLeader(), "joint change, seed " + seed);
  }
}
