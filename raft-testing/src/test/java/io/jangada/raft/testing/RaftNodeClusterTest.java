package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.LeadershipTransferException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.Role;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RaftNode behaviour in a three-node in-memory cluster, in virtual time. */
class RaftNodeClusterTest {

  private InMemoryCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private InMemoryCluster cluster(long seed) {
    cluster = InMemoryCluster.builder().nodes(3).seed(seed).build();
    return cluster;
  }

  private static Bytes utf8(String s) {
    return Bytes.ofUtf8(s);
  }

  private List<String> applied(NodeId id) {
    return ((RecordingStateMachine) cluster.stateMachine(id))
        .applied().stream().map(Bytes::toUtf8).collect(Collectors.toList());
  }

  private void awaitAllApplied(List<String> expected) {
    cluster.awaitCondition(
        () -> cluster.ids().stream().allMatch(id -> applied(id).containsAll(expected)),
        Duration.ofSeconds(20),
        "every node applies " + expected.size() + " commands");
  }

  @Test
  void proposalsFromManyThreadsApplyInTheSameOrderOnEveryNode() throws Exception {
    cluster(1);
    RaftNode leader = cluster.node(cluster.awaitLeader());
    List<CompletableFuture<Committed>> futures =
        java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService clients = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 4; t++) {
      int thread = t;
      clients.execute(
          () -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 25; i++) {
              futures.add(leader.propose(utf8("t" + thread + "-" + i)));
            }
          });
    }
    go.countDown();
    clients.shutdown();
    assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    List<Committed> results = new ArrayList<>();
    for (CompletableFuture<Committed> future : futures) {
      results.add(cluster.await(future));
    }
    assertThat(results).hasSize(100);
    assertThat(results.stream().map(Committed::index).distinct()).hasSize(100);

    List<String> all = applied(leader.id());
    assertThat(all).hasSize(100);
    awaitAllApplied(all);
    for (NodeId id : cluster.ids()) {
      assertThat(applied(id)).as("order on %s", id).isEqualTo(all);
    }
  }

  @Test
  void proposalResultIsTheStateMachineResultWithIndexAndTerm() {
    cluster(2);
    RaftNode leader = cluster.node(cluster.awaitLeader());
    Committed first = cluster.await(leader.propose(utf8("a")));
    Committed second = cluster.await(leader.propose(utf8("b")));
    assertThat(first.result().toUtf8()).isEqualTo("1");
    assertThat(second.result().toUtf8()).isEqualTo("2");
    assertThat(second.index()).isEqualTo(first.index() + 1);
    assertThat(first.term()).isEqualTo(leader.status().term());
  }

  @Test
  void leaderCrashElectsANewLeaderAndLosesNoAcknowledgedWrite() {
    cluster(3);
    NodeId first = cluster.awaitLeader();
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      cluster.await(cluster.node(first).propose(utf8("before-" + i)));
      acknowledged.add("before-" + i);
    }
    cluster.crash(first);
    NodeId second = cluster.awaitLeader();
    assertThat(second).isNotEqualTo(first);
    for (int i = 0; i < 10; i++) {
      cluster.await(cluster.node(second).propose(utf8("after-" + i)));
      acknowledged.add("after-" + i);
    }
    cluster.restart(first);
    awaitAllApplied(acknowledged);
    for (NodeId id : cluster.ids()) {
      assertThat(applied(id)).as("log of %s", id).isEqualTo(acknowledged);
    }
  }

  /**
   * A crashed leader's proposals either commit, fail as indeterminate (written or sent before the
   * crash), or fail with NodeClosedException, and then they certainly never take effect.
   */
  @Test
  void inFlightProposalsOfACrashedLeaderEitherCommitOrFailIndeterminate() {
    cluster(4);
    NodeId leaderId = cluster.awaitLeader();
    RaftNode leader = cluster.node(leaderId);
    List<CompletableFuture<Committed>> inFlight = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      inFlight.add(leader.propose(utf8("x" + i)));
    }
    cluster.scheduler().runUntilIdle(); // written and sent, not yet acknowledged
    for (int i = 10; i < 20; i++) {
      inFlight.add(leader.propose(utf8("x" + i))); // still queued at the crash
    }
    cluster.crash(leaderId);
    NodeId next = cluster.awaitLeader();
    cluster.await(cluster.node(next).propose(utf8("after")));
    List<String> neverAppended = new ArrayList<>();
    int indeterminate = 0;
    for (int i = 0; i < inFlight.size(); i++) {
      CompletableFuture<Committed> future = inFlight.get(i);
      assertThat(future).isDone();
      if (future.isCompletedExceptionally()) {
        Throwable cause = catchThrowable(future::join).getCause();
        assertThat(cause)
            .isInstanceOfAny(IndeterminateResultException.class, NodeClosedException.class);
        if (cause instanceof NodeClosedException) {
          neverAppended.add("x" + i);
        } else {
          indeterminate++;
        }
      }
    }
    assertThat(indeterminate).as("proposals written before the crash").isPositive();
    assertThat(neverAppended).as("proposals still queued at the crash").isNotEmpty();
    // Whatever committed is applied once, in the same order, everywhere.
    cluster.restart(leaderId);
    List<String> reference = applied(next);
    awaitAllApplied(reference);
    for (NodeId id : cluster.ids()) {
      assertThat(applied(id)).isEqualTo(reference);
      assertThat(applied(id)).doesNotHaveDuplicates();
      assertThat(applied(id)).doesNotContainAnyElementsOf(neverAppended);
    }
  }

  @Test
  void partitionedOldLeaderAcknowledgesNoWriteAndServesNoLinearizableRead() {
    cluster(5);
    NodeId oldId = cluster.awaitLeader();
    RaftNode old = cluster.node(oldId);
    cluster.await(old.propose(utf8("v1")));

    cluster.network().isolate(oldId);
    CompletableFuture<Committed> write = old.propose(utf8("lost"));
    CompletableFuture<Bytes> read = old.query(utf8("all"));

    // The majority elects a new leader and moves on.
    cluster.awaitCondition(
        () ->
            cluster.ids().stream()
                .filter(id -> !id.equals(oldId))
                .anyMatch(id -> cluster.node(id).status().isLeader()),
        Duration.ofSeconds(10),
        "majority elects a new leader");
    NodeId newId =
        cluster.ids().stream()
            .filter(id -> !id.equals(oldId) && cluster.node(id).status().isLeader())
            .findFirst()
            .orElseThrow();
    cluster.await(cluster.node(newId).propose(utf8("v2")));

    cluster.awaitCondition(
        () -> write.isDone() && read.isDone(), Duration.ofSeconds(10), "old leader gives up");
    assertThatThrownBy(write::join).hasCauseInstanceOf(IndeterminateResultException.class);
    assertThatThrownBy(read::join).isInstanceOf(CompletionException.class);
    assertThat(old.status().role()).isNotEqualTo(Role.LEADER);

    cluster.network().heal();
    awaitAllApplied(List.of("v1", "v2"));
    for (NodeId id : cluster.ids()) {
      assertThat(applied(id)).isEqualTo(List.of("v1", "v2"));
    }
  }

  @Test
  void linearizableReadOnAFollowerSeesEveryAcknowledgedWrite() {
    cluster(6);
    NodeId leaderId = cluster.awaitLeader();
    cluster.await(cluster.node(leaderId).propose(utf8("a")));
    cluster.await(cluster.node(leaderId).propose(utf8("b")));
    for (NodeId id : cluster.ids()) {
      Bytes all = cluster.await(cluster.node(id).query(utf8("all")));
      assertThat(all.toUtf8()).as("read on %s", id).isEqualTo("a,b");
    }
  }

  @Test
  void leaseAndStaleReadsAnswerFromLocalState() {
    cluster(7);
    NodeId leaderId = cluster.awaitLeader();
    RaftNode leader = cluster.node(leaderId);
    cluster.await(leader.propose(utf8("a")));
    cluster.advance(Duration.ofMillis(200)); // let heartbeats establish the lease
    assertThat(cluster.await(leader.query(utf8("all"), ReadConsistency.LEASE)).toUtf8())
        .isEqualTo("a");
    assertThat(cluster.await(leader.query(utf8("all"), ReadConsistency.STALE)).toUtf8())
        .isEqualTo("a");
  }

  @Test
  void proposalOnAFollowerFailsWithTheLeaderHint() {
    cluster(8);
    NodeId leaderId = cluster.awaitLeader();
    cluster.await(cluster.node(leaderId).propose(utf8("a")));
    NodeId follower =
        cluster.ids().stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
    CompletableFuture<Committed> future = cluster.node(follower).propose(utf8("b"));
    cluster.awaitCondition(future::isDone, Duration.ofSeconds(1), "propose answers");
    assertThatThrownBy(future::join)
        .hasCauseInstanceOf(NotLeaderException.class)
        .cause()
        .satisfies(e -> assertThat(((NotLeaderException) e).leaderHint()).contains(leaderId));
  }

  @Test
  void leadershipMovesToTheNamedNode() {
    cluster(9);
    NodeId leaderId = cluster.awaitLeader();
    cluster.await(cluster.node(leaderId).propose(utf8("a")));
    NodeId target =
        cluster.ids().stream().filter(id -> !id.equals(leaderId)).reduce((a, b) -> b).orElseThrow();
    cluster.await(cluster.node(leaderId).transferLeadership(target));
    cluster.awaitCondition(
        () -> cluster.node(target).status().isLeader(), Duration.ofSeconds(2), "target leads");
    cluster.await(cluster.node(target).propose(utf8("b")));
    awaitAllApplied(List.of("a", "b"));
  }

  @Test
  void transferToAnUnreachableNodeFailsAfterAnElectionTimeoutAndProposalsResume() {
    cluster(12);
    NodeId leaderId = cluster.awaitLeader();
    RaftNode leader = cluster.node(leaderId);
    cluster.await(leader.propose(utf8("a")));
    NodeId target = cluster.ids().stream().filter(id -> !id.equals(leaderId)).findFirst().get();
    cluster.network().isolate(target);
    CompletableFuture<Void> future = leader.transferLeadership(target);
    CompletableFuture<Committed> refused = leader.propose(utf8("refused"));
    // 10 ms ticks, 10-tick election timeout: the core gives up after 100 ms of virtual time.
    cluster.advance(Duration.ofMillis(50));
    assertThat(future).as("still trying half an election timeout in").isNotDone();
    assertThatThrownBy(refused::join).hasCauseInstanceOf(ProposalDroppedException.class);
    cluster.advance(Duration.ofMillis(70));
    assertThat(future).as("failed soon after one election timeout").isDone();
    assertThatThrownBy(future::join).hasCauseInstanceOf(LeadershipTransferException.class);
    assertThat(leader.status().isLeader()).isTrue();
    cluster.await(leader.propose(utf8("b")));
  }

  /**
   * The loop publishes the commit and the followers' match indexes without rebuilding the status
   * when nothing else changes; status() must still show them as they are now, and onCommit must
   * still fire for them.
   */
  @Test
  void statusShowsCurrentIndexesWhileOnlyIndexesChange() {
    cluster(12);
    NodeId leaderId = cluster.awaitLeader();
    RaftNode leader = cluster.node(leaderId);
    List<Long> commits = java.util.Collections.synchronizedList(new ArrayList<>());
    leader.addListener(
        new io.jangada.raft.RaftListener() {
          @Override
          public void onCommit(NodeId node, long commitIndex) {
            commits.add(commitIndex);
          }
        });
    long last = 0;
    for (int i = 0; i < 5; i++) {
      Committed committed = cluster.await(leader.propose(utf8("c" + i)));
      assertThat(leader.status().commitIndex()).isGreaterThanOrEqualTo(committed.index());
      assertThat(leader.status().appliedIndex()).isGreaterThanOrEqualTo(committed.index());
      assertThat(leader.status().lastIndex()).isGreaterThanOrEqualTo(committed.index());
      last = committed.index();
    }
    long lastIndex = last;
    cluster.awaitCondition(
        () ->
            leader.status().peers().values().stream()
                .allMatch(p -> p.matchIndex() == lastIndex && p.nextIndex() == lastIndex + 1),
        Duration.ofSeconds(5),
        "the leader's status shows both followers at " + lastIndex);
    cluster.awaitCondition(
        () -> commits.contains(lastIndex), Duration.ofSeconds(5), "onCommit(" + lastIndex + ")");
    assertThat(leader.status().role()).isEqualTo(Role.LEADER);
    assertThat(leader.status().peers()).hasSize(2);
    for (NodeId id : cluster.ids()) {
      NodeId node = id;
      cluster.awaitCondition(
          () -> cluster.node(node).status().commitIndex() == lastIndex,
          Duration.ofSeconds(5),
          node + " shows commit index " + lastIndex);
    }
  }

  @Test
  void transferToANonMemberFails() {
    cluster(10);
    NodeId leaderId = cluster.awaitLeader();
    CompletableFuture<Void> future = cluster.node(leaderId).transferLeadership(NodeId.of("zz"));
    cluster.awaitCondition(future::isDone, Duration.ofSeconds(1), "transfer answers");
    assertThatThrownBy(future::join).hasCauseInstanceOf(LeadershipTransferException.class);
  }

  @Test
  void oversizedProposalIsRejectedBeforeAppending() {
    cluster(11);
    RaftNode leader = cluster.node(cluster.awaitLeader());
    CompletableFuture<Committed> future =
        leader.propose(Bytes.wrapUnsafe(new byte[RaftNode.Builder.DEFAULT_MAX_PROPOSAL_BYTES + 1]));
    assertThatThrownBy(future::join)
        .hasCauseInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("maxProposalBytes");
    assertThat(leader.status().lastIndex()).isEqualTo(leader.status().commitIndex());
  }

  @Test
  void backlogBeyondTheUncommittedLimitIsRejected() {
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(12)
            .config(RaftConfig.builder().maxUncommittedBytes(1_000).checkQuorum(false).build())
            .build();
    NodeId leaderId = cluster.awaitLeader();
    RaftNode leader = cluster.node(leaderId);
    cluster.await(leader.propose(utf8("first")));
    for (NodeId id : cluster.ids()) {
      if (!id.equals(leaderId)) {
        cluster.network().block(leaderId, id);
      }
    }
    List<CompletableFuture<Committed>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(leader.propose(Bytes.wrapUnsafe(new byte[100])));
    }
    cluster.advance(Duration.ofMillis(50));
    assertThat(futures)
        .anySatisfy(
            f -> {
              assertThat(f).isCompletedExceptionally();
              assertThatThrownBy(f::join).hasCauseInstanceOf(ProposalDroppedException.class);
            });
  }

  @Test
  void closedNodeRejectsNewRequests() {
    cluster(13);
    NodeId leaderId = cluster.awaitLeader();
    RaftNode node = cluster.node(leaderId);
    node.close();
    CompletableFuture<Committed> future = node.propose(utf8("x"));
    cluster.awaitCondition(future::isDone, Duration.ofSeconds(1), "closed node answers");
    assertThatThrownBy(future::join).hasCauseInstanceOf(NodeClosedException.class);
  }

  @Test
  void aRestartedFollowerCatchesUp() {
    cluster(14);
    NodeId leaderId = cluster.awaitLeader();
    NodeId follower =
        cluster.ids().stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
    cluster.crash(follower);
    List<String> writes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      cluster.await(cluster.node(leaderId).propose(utf8("w" + i)));
      writes.add("w" + i);
    }
    cluster.restart(follower);
    awaitAllApplied(writes);
    assertThat(applied(follower)).isEqualTo(writes);
  }

  @Test
  void minorityPartitionCannotCommitButMajorityCan() {
    cluster(15);
    NodeId leaderId = cluster.awaitLeader();
    List<NodeId> others =
        cluster.ids().stream().filter(id -> !id.equals(leaderId)).collect(Collectors.toList());
    cluster.network().partition(Set.of(leaderId, others.get(0)), Set.of(others.get(1)));
    cluster.await(cluster.node(leaderId).propose(utf8("majority")));
    assertThat(cluster.node(others.get(1)).status().isLeader()).isFalse();
    cluster.network().heal();
    awaitAllApplied(List.of("majority"));
  }
}
