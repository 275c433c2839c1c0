package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.Committed;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftHealth;
import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftMetrics;
import io.jangada.raft.RaftNode;
import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Listener events, metrics hooks and health of RaftNodes in an in-memory cluster (virtual time).
 */
class RaftNodeEventsTest {

  private InMemoryCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Records every event as one line of text. */
  private static final class Recorder implements RaftListener, RaftMetrics {
    final List<String> events = new CopyOnWriteArrayList<>();
    final AtomicInteger committed = new AtomicInteger();
    final AtomicInteger synced = new AtomicInteger();
    final AtomicInteger applied = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public void onElectionStarted(NodeId self, long term, boolean preVote) {
      events.add(self + " started " + (preVote ? "prevote" : "election"));
    }

    @Override
    public void onElectionWon(NodeId self, long term) {
      events.add(self + " won " + term);
    }

    @Override
    public void onElectionLost(NodeId self, long term) {
      events.add(self + " lost");
    }

    @Override
    public void onLeaderChange(NodeId self, Optional<NodeId> leader, long term) {
      events.add(self + " leader " + leader.map(NodeId::value).orElse("none"));
    }

    @Override
    public void onSnapshotTaken(NodeId self, SnapshotMeta meta, long nanos) {
      events.add(self + " snapshot taken " + meta.index() + (nanos >= 0 ? "" : " negative"));
    }

    @Override
    public void onFollowerReachability(NodeId self, NodeId peer, boolean reachable) {
      events.add(self + " follower " + peer + (reachable ? " reachable" : " unreachable"));
    }

    @Override
    public void onFailure(NodeId self, String what, Throwable cause) {
      events.add(self + " failed: " + what);
    }

    @Override
    public void proposalCommitted(NodeId self, long nanos) {
      committed.incrementAndGet();
    }

    @Override
    public void proposalDropped(NodeId self, ProposalDroppedException.Reason reason) {
      events.add(self + " dropped " + reason);
    }

    @Override
    public void logSynced(NodeId self, long nanos, int entries, long bytes) {
      synced.incrementAndGet();
    }

    @Override
    public void applied(NodeId self, long nanos, int entries) {
      applied.addAndGet(entries);
    }

    @Override
    public void readServed(NodeId self, long nanos) {
      reads.incrementAndGet();
    }
  }

  private Recorder attachToAll() {
    Recorder recorder = new Recorder();
    for (NodeId id : cluster.ids()) {
      cluster.node(id).addListener(recorder);
      cluster.node(id).addMetrics(recorder);
    }
    return recorder;
  }

  @Test
  void electionAndLeaderEventsReachEveryListener() {
    cluster = InMemoryCluster.builder().nodes(3).seed(11).build();
    Recorder first = attachToAll();
    Recorder second = attachToAll();
    NodeId leader = cluster.awaitLeader();
    cluster.awaitCondition(
        () ->
            cluster.ids().stream()
                .allMatch(id -> first.events.contains(id + " leader " + leader.value())),
        Duration.ofSeconds(5),
        "every node reports the leader");
    assertThat(first.events).contains(leader + " started prevote", leader + " started election");
    assertThat(first.events).anyMatch(e -> e.startsWith(leader + " won "));
    assertThat(second.events).containsAll(first.events.subList(0, 3));
  }

  @Test
  void removedListenerHearsNothingMore() {
    cluster = InMemoryCluster.builder().nodes(3).seed(12).build();
    Recorder recorder = attachToAll();
    for (NodeId id : cluster.ids()) {
      assertThat(cluster.node(id).removeListener(recorder)).isTrue();
      assertThat(cluster.node(id).removeMetrics(recorder)).isTrue();
    }
    NodeId leader = cluster.awaitLeader();
    cluster.await(cluster.node(leader).propose(Bytes.ofUtf8("x")));
    assertThat(recorder.events).isEmpty();
    assertThat(recorder.committed).hasValue(0);
  }

  @Test
  void metricsHooksMeasureProposalsSyncsAppliesReadsAndDrops() {
    cluster = InMemoryCluster.builder().nodes(3).seed(13).build();
    Recorder recorder = attachToAll();
    NodeId leader = cluster.awaitLeader();
    RaftNode node = cluster.node(leader);
    for (int i = 0; i < 5; i++) {
      cluster.await(node.propose(Bytes.ofUtf8("v" + i)));
    }
    cluster.await(node.query(Bytes.ofUtf8("q")));
    assertThat(recorder.committed).hasValue(5);
    assertThat(recorder.synced.get()).isGreaterThanOrEqualTo(5);
    assertThat(recorder.applied.get()).isGreaterThanOrEqualTo(5);
    assertThat(recorder.reads).hasValue(1);

    Bytes huge = Bytes.wrapUnsafe(new byte[RaftNode.Builder.DEFAULT_MAX_PROPOSAL_BYTES + 1]);
    assertThatThrownBy(() -> cluster.await(node.propose(huge)))
        .hasCauseInstanceOf(ProposalDroppedException.class)
        .satisfies(
            e ->
                assertThat(((ProposalDroppedException) e.getCause()).reason())
                    .isEqualTo(ProposalDroppedException.Reason.TOO_LARGE));
    assertThat(recorder.events).contains(leader + " dropped TOO_LARGE");
  }

  @Test
  void snapshotTakenIsReportedWithItsIndex() {
    cluster = InMemoryCluster.builder().nodes(3).seed(14).build();
    Recorder recorder = attachToAll();
    NodeId leader = cluster.awaitLeader();
    Committed c = cluster.await(cluster.node(leader).propose(Bytes.ofUtf8("a")));
    SnapshotMeta meta = cluster.await(cluster.node(leader).snapshot());
    assertThat(meta.index()).isEqualTo(c.index());
    assertThat(recorder.events).contains(leader + " snapshot taken " + c.index());
  }

  @Test
  void followerUnreachableIsReportedByTheLeader() {
    cluster = InMemoryCluster.builder().nodes(3).seed(15).build();
    Recorder recorder = attachToAll();
    NodeId leader = cluster.awaitLeader();
    NodeId follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().get();
    cluster.network().isolate(follower);
    cluster.awaitCondition(
        () -> recorder.events.contains(leader + " follower " + follower + " unreachable"),
        Duration.ofSeconds(5),
        "the leader reports " + follower + " unreachable");
    cluster.network().heal();
    cluster.awaitCondition(
        () -> recorder.events.contains(leader + " follower " + follower + " reachable"),
        Duration.ofSeconds(5),
        "the leader reports " + follower + " reachable again");
  }

  @Test
  void readyOnceALeaderIsKnownAndNotLiveAfterClose() {
    cluster = InMemoryCluster.builder().nodes(3).seed(16).build();
    for (NodeId id : cluster.ids()) {
      RaftHealth health = cluster.node(id).health();
      assertThat(health.live()).isTrue();
      assertThat(health.ready()).isFalse();
      assertThat(health.problems()).contains("no leader known");
    }
    NodeId leader = cluster.awaitLeader();
    cluster.await(cluster.node(leader).propose(Bytes.ofUtf8("a")));
    cluster.awaitCondition(
        () -> cluster.ids().stream().allMatch(id -> cluster.node(id).health().ready()),
        Duration.ofSeconds(5),
        "every node is ready");
    RaftNode node = cluster.node(leader);
    node.close();
    assertThat(node.health().live()).isFalse();
    assertThat(node.health().ready()).isFalse();
    assertThat(node.health().problems()).contains("closed");
  }

  @Test
  void aRestartedFollowerIsReadyOnlyOnceItAppliedWhatTheLeaderHadCommitted() {
    cluster = InMemoryCluster.builder().nodes(3).seed(18).latency(Duration.ofMillis(5)).build();
    NodeId leader = cluster.awaitLeader();
    cluster.await(cluster.node(leader).propose(Bytes.ofUtf8("before")));
    NodeId follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().get();
    cluster.awaitCondition(
        () -> cluster.node(follower).health().ready(), Duration.ofSeconds(5), "follower ready");
    cluster.crash(follower);
    for (int i = 0; i < 30; i++) {
      cluster.await(cluster.node(leader).propose(Bytes.ofUtf8("missed " + i)));
    }
    long leaderCommit = cluster.node(leader).status().commitIndex();
    cluster.restart(follower);
    // The leader's heartbeats tell the follower a commit index capped at what it matched before
    // the crash; ready must wait for what the leader had committed, not for that.
    RaftNode restarted = cluster.node(follower);
    for (int step = 0; step < 2_000 && !restarted.health().ready(); step++) {
      cluster.advance(Duration.ofMillis(1));
    }
    assertThat(restarted.health().ready()).as(restarted.health().problems().toString()).isTrue();
    assertThat(restarted.status().appliedIndex()).isGreaterThanOrEqualTo(leaderCommit);
  }

  @Test
  void stateMachineFailureIsReportedAndMakesTheNodeNotLive() {
    cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(17)
            .stateMachines(id -> new FailingOn("boom"))
            .build();
    Recorder recorder = attachToAll();
    NodeId leader = cluster.awaitLeader();
    cluster.node(leader).propose(Bytes.ofUtf8("boom"));
    cluster.awaitCondition(
        () -> recorder.events.contains(leader + " failed: the state machine failed"),
        Duration.ofSeconds(5),
        "the leader reports its state machine failure");
    RaftHealth health = cluster.node(leader).health();
    assertThat(health.live()).isFalse();
    assertThat(health.problems()).anyMatch(p -> p.startsWith("stopped after a failure"));
  }

  /** Applies like {@link RecordingStateMachine} but throws on one command. */
  private static final class FailingOn implements StateMachine {
    private final RecordingStateMachine delegate = new RecordingStateMachine();
    private final String poison;

    FailingOn(String poison) {
      this.poison = poison;
    }

    @Override
    public Bytes apply(long index, Bytes command) {
      if (command.toUtf8().equals(poison)) {
        throw new IllegalStateException("poisoned command at " + index);
      }
      return delegate.apply(index, command);
    }

    @Override
    public Bytes query(Bytes request) {
      return delegate.query(request);
    }

    @Override
    public SnapshotWriter snapshot() {
      return delegate.snapshot();
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream in) throws IOException {
      delegate.restore(meta, in);
    }
  }
}
