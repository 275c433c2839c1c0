package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jangada.raft.Committed;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.Scheduler;
import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.transport.ForwardingTransport;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The node's life in virtual time: the start-up restore runs on the apply thread as {@link
 * StateMachine} promises, {@link RaftNode#awaitLeader} replaces polling, a closing leader hands
 * over leadership first, and a transport that cannot reach every member is refused at start.
 */
class RaftNodeLifecycleTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final Duration TICK = Duration.ofMillis(10);

  /** A {@link ManualScheduler} whose lanes say, while a task runs, which lane runs it. */
  static final class LaneNamingScheduler implements Scheduler {
    static final ThreadLocal<String> LANE = new ThreadLocal<>();
    final ManualScheduler delegate = new ManualScheduler();

    @Override
    public Executor newLane(String name) {
      Executor lane = delegate.newLane(name);
      return task ->
          lane.execute(
              () -> {
                String outer = LANE.get();
                LANE.set(name);
                try {
                  task.run();
                } finally {
                  LANE.set(outer);
                }
              });
    }

    @Override
    public Cancellable schedule(Duration delay, Executor lane, Runnable task) {
      return delegate.schedule(delay, lane, task);
    }

    @Override
    public long nanoTime() {
      return delegate.nanoTime();
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public boolean awaitDone(Future<?> future, Duration timeout) {
      return delegate.awaitDone(future, timeout);
    }
  }

  /** Records on which lane each state-machine method ran. */
  static final class LaneRecordingStateMachine implements StateMachine {
    final RecordingStateMachine delegate = new RecordingStateMachine();
    final List<String> restoreLanes = new ArrayList<>();
    final List<String> applyLanes = new ArrayList<>();

    @Override
    public Bytes apply(long index, Bytes command) {
      applyLanes.add(LaneNamingScheduler.LANE.get());
      return delegate.apply(index, command);
    }

    @Override
    public SnapshotWriter snapshot() {
      return delegate.snapshot();
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream data) throws IOException {
      restoreLanes.add(LaneNamingScheduler.LANE.get());
      delegate.restore(meta, data);
    }
  }

  @Test
  void theStartUpRestoreRunsOnTheApplyThreadAsTheStateMachineContractPromises() {
    LaneNamingScheduler scheduler = new LaneNamingScheduler();
    VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(3));
    InMemoryLogStorage log = new InMemoryLogStorage();
    InMemoryStateStorage state = new InMemoryStateStorage();
    InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
    LaneRecordingStateMachine first = new LaneRecordingStateMachine();
    RaftNode node = singleNode(scheduler, network, log, state, snapshots, first);
    node.start();
    scheduler.delegate.advance(Duration.ofSeconds(1));
    for (String command : List.of("a", "b", "c")) {
      node.propose(Bytes.ofUtf8(command));
    }
    scheduler.delegate.advance(Duration.ofMillis(100));
    CompletableFuture<SnapshotMeta> snapshot = node.snapshot();
    scheduler.delegate.advance(Duration.ofMillis(100));
    assertThat(snapshot).isDone();
    assertThat(snapshot.join().index()).isGreaterThanOrEqualTo(3);
    node.close(Duration.ZERO);
    assertThat(first.applyLanes).containsOnly("jangada-apply-n1");

    LaneRecordingStateMachine second = new LaneRecordingStateMachine();
    RaftNode restarted = singleNode(scheduler, network, log, state, snapshots, second);
    CompletableFuture<Void> started = restarted.start();
    scheduler.delegate.runUntilIdle();
    assertThat(started).isCompleted();
    assertThat(second.restoreLanes).containsExactly("jangada-apply-n1");
    assertThat(second.delegate.applied())
        .containsExactly(Bytes.ofUtf8("a"), Bytes.ofUtf8("b"), Bytes.ofUtf8("c"));
    restarted.close(Duration.ZERO);
  }

  private static RaftNode singleNode(
      Scheduler scheduler,
      VirtualNetwork network,
      InMemoryLogStorage log,
      InMemoryStateStorage state,
      InMemorySnapshotStorage snapshots,
      StateMachine machine) {
    return RaftNode.builder()
        .id(N1)
        .membership(Membership.ofVoters(N1))
        .stateMachine(machine)
        .logStorage(log)
        .stateStorage(state)
        .snapshotStorage(snapshots)
        .transport(network.transport(N1))
        .scheduler(scheduler)
        .seed(1)
        .tickInterval(TICK)
        .callbackExecutor(Runnable::run)
        .build();
  }

  /**
   * With its own scheduler (the default, as in production) a node shuts its threads down on close,
   * and its loop drops what is queued after that: every call on the closed node must still fail at
   * once with {@link NodeClosedException}, as {@link RaftNode#close()} promises, not return a
   * future that never completes; and a second close returns at once (it is idempotent) instead of
   * waiting out the handover and the loop's stop timeout of a node whose loop is gone.
   */
  @Test
  void callsOnAClosedNodeWithItsOwnSchedulerFailAtOnceAndASecondCloseReturnsAtOnce()
      throws Exception {
    RaftNode node =
        OneVoter.inMemory(N1)
            .transport(
                new VirtualNetwork(new ManualScheduler(), new SplittableRandom(8)).transport(N1))
            .tickInterval(TICK)
            .callbackExecutor(Runnable::run)
            .build(); // no scheduler: the node owns a system scheduler, shut down on close
    node.start().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(
            node.awaitLeader(Duration.ofSeconds(10)).get(10, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo(N1);
    node.close();

    List<CompletableFuture<?>> calls =
        List.of(
            node.propose(Bytes.ofUtf8("late")),
            node.query(Bytes.ofUtf8("size")),
            node.query(Bytes.ofUtf8("size"), io.jangada.raft.ReadConsistency.STALE),
            node.openSession(),
            node.snapshot(),
            node.transferLeadership(N2),
            node.removeMember(N1),
            node.awaitLeader(Duration.ofSeconds(1)));
    for (CompletableFuture<?> call : calls) {
      assertThat(call).isCompletedExceptionally();
      assertThat(catchThrowable(call::join))
          .hasCauseInstanceOf(NodeClosedException.class)
          .hasMessageContaining("node n1 is closed");
    }
    CompletableFuture<Void> restart = node.start();
    assertThat(restart).isCompletedExceptionally();
    assertThat(catchThrowable(restart::join))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node n1 is closed");

    long before = System.nanoTime();
    node.close();
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
    assertThat(node.status().state()).isEqualTo(RaftStatus.State.CLOSED);
  }

  /** A node id missing from its own membership fails the build, pointing at join(). */
  @Test
  void aNodeThatIsNotInItsOwnMembershipFailsTheBuildNamingTheWayOut() {
    assertThat(
            catchThrowable(
                () ->
                    RaftNode.builder()
                        .id(NodeId.of("n4"))
                        .membership(Membership.ofVoters(N1, N2, N3))
                        .stateMachine(new RecordingStateMachine())
                        .logStorage(new InMemoryLogStorage())
                        .stateStorage(new InMemoryStateStorage())
                        .transport(
                            new VirtualNetwork(new ManualScheduler(), new SplittableRandom(9))
                                .transport(NodeId.of("n4")))
                        .build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node n4 is not a member of the configured membership voters=[n1,")
        .hasMessageContaining("join()");
  }

  @Test
  void awaitLeaderCompletesWhenALeaderIsKnownWithoutPolling() {
    try (InMemoryCluster cluster = InMemoryCluster.builder().seed(11).build()) {
      CompletableFuture<NodeId> known = cluster.node(N2).awaitLeader(Duration.ofSeconds(5));
      cluster.scheduler().runUntilIdle();
      assertThat(known).isNotDone(); // no time passed: nobody campaigned yet
      NodeId leader = cluster.await(known);
      assertThat(cluster.leader()).contains(leader);
      // Once known, a new call completes at once.
      CompletableFuture<NodeId> again = cluster.node(N3).awaitLeader(Duration.ofSeconds(5));
      cluster.scheduler().runUntilIdle();
      assertThat(again).isCompletedWithValue(leader);
    }
  }

  @Test
  void awaitLeaderTimesOutInVirtualTimeWhenNoLeaderCanBeKnown() {
    try (InMemoryCluster cluster = InMemoryCluster.builder().seed(12).build()) {
      cluster.network().isolate(N1);
      CompletableFuture<NodeId> known = cluster.node(N1).awaitLeader(Duration.ofSeconds(2));
      cluster.advance(Duration.ofMillis(1990));
      assertThat(known).isNotDone();
      cluster.advance(Duration.ofMillis(20));
      assertThat(catchThrowable(known::join))
          .hasCauseInstanceOf(RequestTimeoutException.class)
          .hasMessageContaining("no leader within PT2S");
      assertThat(cluster.leader()).isPresent().get().isNotEqualTo(N1);

      CompletableFuture<NodeId> afterClose = cluster.node(N1).awaitLeader(Duration.ofSeconds(2));
      cluster.node(N1).close(Duration.ZERO);
      cluster.scheduler().runUntilIdle();
      assertThat(catchThrowable(afterClose::join)).hasCauseInstanceOf(NodeClosedException.class);
    }
  }

  @Test
  void closingALeaderHandsLeadershipOverWithoutAnElectionTimeout() {
    try (InMemoryCluster cluster = InMemoryCluster.builder().seed(13).build()) {
      NodeId old = cluster.awaitLeader();
      long term = cluster.node(old).status().term();
      cluster.await(cluster.node(old).propose(Bytes.ofUtf8("before")));
      Duration before = cluster.scheduler().elapsed();

      cluster.node(old).close();

      Duration took = cluster.scheduler().elapsed().minus(before);
      // The default handover waits at most one election timeout (10 ticks of 10 ms); a transfer
      // to an up-to-date follower takes a few round trips.
      assertThat(took).isLessThan(Duration.ofMillis(100));
      Optional<NodeId> next = cluster.leader();
      assertThat(next).isPresent().get().isNotEqualTo(old);
      assertThat(cluster.node(next.get()).status().term()).isEqualTo(term + 1);
      assertThat(cluster.node(old).status().state()).isEqualTo(RaftStatus.State.CLOSED);
      assertThat(cluster.node(old).status().isLeader()).isFalse();
      Committed after = cluster.await(cluster.node(next.get()).propose(Bytes.ofUtf8("after")));
      assertThat(after.term()).isEqualTo(term + 1);
    }
  }

  @Test
  void aZeroHandoverStopsAtOnceAndTheOthersNeedAnElection() {
    try (InMemoryCluster cluster = InMemoryCluster.builder().seed(14).build()) {
      NodeId old = cluster.awaitLeader();
      Duration before = cluster.scheduler().elapsed();
      cluster.node(old).close(Duration.ZERO);
      assertThat(cluster.scheduler().elapsed()).isEqualTo(before);
      assertThat(cluster.leader()).isEmpty();
    }
  }

  @Test
  void aLeaderCutOffFromItsFollowersStopsAfterTheBoundedHandover() {
    try (InMemoryCluster cluster = InMemoryCluster.builder().seed(15).build()) {
      NodeId old = cluster.awaitLeader();
      cluster.network().isolate(old);
      Duration before = cluster.scheduler().elapsed();
      cluster.node(old).close(Duration.ofMillis(300));
      Duration took = cluster.scheduler().elapsed().minus(before);
      assertThat(took).isLessThanOrEqualTo(Duration.ofMillis(300));
      assertThat(cluster.node(old).status().state()).isEqualTo(RaftStatus.State.CLOSED);
    }
  }

  /** A transport of the virtual network that claims a fixed peer list and reports problems. */
  static final class FixedPeersTransport extends ForwardingTransport {
    final Set<NodeId> peers;
    volatile List<String> problems = List.of();

    FixedPeersTransport(Transport delegate, Set<NodeId> peers) {
      super(delegate);
      this.peers = peers;
    }

    @Override
    public Optional<Set<NodeId>> peers() {
      return Optional.of(peers);
    }

    @Override
    public List<String> problems() {
      return problems;
    }
  }

  /** A transport of the virtual network whose peers follow the configuration, as gRPC's do. */
  static final class FollowingTransport extends ForwardingTransport {
    volatile Set<NodeId> peers = Set.of();

    FollowingTransport(Transport delegate) {
      super(delegate);
    }

    @Override
    public Optional<Set<NodeId>> peers() {
      return Optional.of(peers);
    }

    @Override
    public void membershipChanged(Membership membership) {
      Set<NodeId> members = new java.util.TreeSet<>(membership.members());
      members.addAll(membership.outgoingVoters());
      members.remove(N1);
      peers = Set.copyOf(members);
      super.membershipChanged(membership);
    }
  }

  private static RaftNode nodeWith(ManualScheduler scheduler, Transport transport) {
    return RaftNode.builder()
        .id(N1)
        .membership(Membership.ofVoters(N1, N2, N3))
        .stateMachine(new RecordingStateMachine())
        .logStorage(new InMemoryLogStorage())
        .stateStorage(new InMemoryStateStorage())
        .transport(transport)
        .scheduler(scheduler)
        .seed(1)
        .tickInterval(TICK)
        .callbackExecutor(Runnable::run)
        .build();
  }

  @Test
  void aTransportThatCannotReachAMemberIsRefusedAtStartNamingTheMember() {
    ManualScheduler scheduler = new ManualScheduler();
    VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(5));
    RaftNode node = nodeWith(scheduler, new FixedPeersTransport(network.transport(N1), Set.of(N2)));
    CompletableFuture<Void> started = node.start();
    scheduler.runUntilIdle();
    assertThat(catchThrowable(started::join))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no address for members [n3]");
    assertThat(node.status().state()).isEqualTo(RaftStatus.State.FAILED);
    assertThat(node.status().failure()).get().asString().contains("[n3]");
    node.close();
  }

  @Test
  void strangersAmongThePeersAndTheTransportsOwnProblemsShowInTheStatus() {
    ManualScheduler scheduler = new ManualScheduler();
    VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(6));
    FixedPeersTransport transport =
        new FixedPeersTransport(network.transport(N1), Set.of(N2, N3, NodeId.of("n9")));
    RaftNode node = nodeWith(scheduler, transport);
    node.start();
    scheduler.runUntilIdle();
    assertThat(node.status().isRunning()).isTrue();
    assertThat(node.status().problems()).singleElement().asString().contains("[n9]", "not members");
    transport.problems = List.of("rejected frames of cluster 'other' from n2");
    assertThat(node.status().problems()).hasSize(2).last().asString().contains("cluster 'other'");
    node.close();
  }

  /**
   * Removing a member is no configuration problem: the status compares the configuration with the
   * transport's peers after the transport followed it, not before (which reported the removed
   * member as a "transport peer that is not a member" until the next change, and logged a WARN).
   */
  @Test
  void aRemovedMemberIsNoProblemForATransportThatFollowsTheConfiguration() {
    ManualScheduler scheduler = new ManualScheduler();
    VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(7));
    RaftNode node =
        OneVoter.inMemory(N1)
            .transport(new FollowingTransport(network.transport(N1)))
            .scheduler(scheduler)
            .seed(1)
            .tickInterval(TICK)
            .callbackExecutor(Runnable::run)
            .build();
    node.start();
    scheduler.runUntilIdle();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(node.status().role()).isEqualTo(io.jangada.raft.Role.LEADER);

    CompletableFuture<?> added = node.addLearner(N2, "127.0.0.1:7102");
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(added).isCompleted();
    assertThat(node.status().problems()).isEmpty();

    CompletableFuture<?> removed = node.removeMember(N2);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(removed).isCompleted();
    assertThat(node.status().membership().contains(N2)).isFalse();
    assertThat(node.status().problems()).isEmpty();
    node.close();
  }
}
