package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.StateMachine;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.storage.LogStorage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The driver on real threads: a slow disk or a slow state machine must not stall heartbeats, and
 * futures complete on the callback executor. Real time is unavoidable here (the point is what
 * threads do), so waits are bounded and assertions are on outcomes, never on timings.
 */
class RaftNodeThreadingTest {

  private static final Duration TICK = Duration.ofMillis(10);
  private final List<RaftNode> nodes = new ArrayList<>();
  private Scheduler networkScheduler;

  @AfterEach
  void tearDown() {
    nodes.forEach(RaftNode::close);
    if (networkScheduler != null) {
      networkScheduler.shutdown();
    }
  }

  /** Counts role changes to detect elections. */
  private static final class Elections implements RaftListener {
    final AtomicInteger leaderChanges = new AtomicInteger();

    @Override
    public void onLeaderChange(NodeId self, Optional<NodeId> leader, long term) {
      leaderChanges.incrementAndGet();
    }
  }

  /** A log whose sync takes {@code syncMillis} of real time. */
  private static final class SlowLog extends ForwardingLogStorage {
    final long syncNanos;

    SlowLog(long syncMillis) {
      this.syncNanos = TimeUnit.MILLISECONDS.toNanos(syncMillis);
    }

    @Override
    public void sync() throws IOException {
      LockSupport.parkNanos(syncNanos);
      super.sync();
    }
  }

  /** A state machine whose apply takes {@code millis} of real time. */
  private static final class SlowStateMachine implements StateMachine {
    final RecordingStateMachine delegate = new RecordingStateMachine();
    final long nanos;

    SlowStateMachine(long millis) {
      this.nanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Override
    public Bytes apply(long index, Bytes command) {
      LockSupport.parkNanos(nanos);
      return delegate.apply(index, command);
    }

    @Override
    public SnapshotWriter snapshot() {
      return delegate.snapshot();
    }

    @Override
    public void restore(io.jangada.raft.model.SnapshotMeta meta, java.io.InputStream data)
        throws java.io.IOException {
      delegate.restore(meta, data);
    }
  }

  private List<RaftNode> startCluster(
      java.util.function.Supplier<LogStorage> logs,
      java.util.function.Supplier<StateMachine> machines,
      Elections elections) {
    networkScheduler = Scheduler.system();
    VirtualNetwork network = new VirtualNetwork(networkScheduler, new SplittableRandom(7));
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    for (NodeId id : ids) {
      RaftNode node =
          RaftNode.builder()
              .id(id)
              .membership(Membership.ofVoters(ids))
              .config(RaftConfig.builder().electionTicks(20).heartbeatTicks(2).build())
              .stateMachine(machines.get())
              .logStorage(logs.get())
              .stateStorage(new InMemoryStateStorage())
              .transport(network.transport(id))
              .tickInterval(TICK)
              .seed(id.hashCode())
              .listener(elections)
              .build();
      nodes.add(node);
    }
    nodes.forEach(n -> n.start().join());
    return nodes;
  }

  /** Waits until every node reported a leader (so later changes are new elections). */
  private void awaitEveryNodeKnowsTheLeader(Elections elections) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (elections.leaderChanges.get() < nodes.size() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private RaftNode awaitLeader() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (RaftNode node : nodes) {
        if (node.status().isLeader()) {
          return node;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    throw new AssertionError("no leader within 20 s");
  }

  /** Proposes continuously for about {@code seconds} and returns the leader's term at the end. */
  private void runLoad(RaftNode leader, int proposals) throws Exception {
    List<CompletableFuture<Committed>> futures = new ArrayList<>();
    for (int i = 0; i < proposals; i++) {
      futures.add(leader.propose(Bytes.ofUtf8("c" + i)));
      if (futures.size() >= 8) {
        futures.remove(0).get(30, TimeUnit.SECONDS);
      }
    }
    for (CompletableFuture<Committed> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDiskWhoseSyncTakes50msCausesNoElection() throws Exception {
    Elections elections = new Elections();
    startCluster(() -> new SlowLog(50), RecordingStateMachine::new, elections);
    RaftNode leader = awaitLeader();
    long term = leader.status().term();
    awaitEveryNodeKnowsTheLeader(elections);
    int changesAfterElection = elections.leaderChanges.get();
    runLoad(leader, 40); // ≥ 40 × 50 ms of fsyncs, longer than the 200–400 ms election timeout
    assertThat(leader.status().isLeader()).isTrue();
    assertThat(leader.status().term()).isEqualTo(term);
    assertThat(elections.leaderChanges.get() - changesAfterElection)
        .as("leader changes after the first election")
        .isLessThanOrEqualTo(2); // late followers learning the first leader, not new elections
  }

  @Test
  void aStateMachineThatTakes50msPerApplyCausesNoElection() throws Exception {
    Elections elections = new Elections();
    startCluster(InMemoryLogStorage::new, () -> new SlowStateMachine(50), elections);
    RaftNode leader = awaitLeader();
    long term = leader.status().term();
    runLoad(leader, 20);
    assertThat(leader.status().isLeader()).isTrue();
    assertThat(leader.status().term()).isEqualTo(term);
    for (RaftNode node : nodes) {
      assertThat(node.status().term()).as("term of %s", node.id()).isEqualTo(term);
    }
  }

  @Test
  void futuresCompleteOnTheCallbackExecutorAndCallersCannotCorruptThem() throws Exception {
    startCluster(InMemoryLogStorage::new, RecordingStateMachine::new, new Elections());
    RaftNode leader = awaitLeader();
    CompletableFuture<Committed> mine = leader.propose(Bytes.ofUtf8("a"));
    AtomicReference<String> thread = new AtomicReference<>();
    CompletableFuture<Void> observed =
        mine.thenAccept(c -> thread.set(Thread.currentThread().getName()));
    observed.get(10, TimeUnit.SECONDS);
    assertThat(thread.get()).doesNotStartWith("jangada-");

    CompletableFuture<Committed> hijacked = leader.propose(Bytes.ofUtf8("b"));
    hijacked.complete(new Committed(0, 0, Bytes.EMPTY));
    Committed next = leader.propose(Bytes.ofUtf8("c")).get(10, TimeUnit.SECONDS);
    assertThat(next.result().toUtf8()).isEqualTo("3"); // b was still applied as the 2nd command
  }
}
