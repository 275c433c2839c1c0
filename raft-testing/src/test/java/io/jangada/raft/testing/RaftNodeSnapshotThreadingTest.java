package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshots on real threads: snapshot writing, log compaction (writer thread) and chunk streaming
 * (transfer thread) run concurrently with the loop reading the log. Waits are bounded; assertions
 * are on outcomes only.
 */
class RaftNodeSnapshotThreadingTest {

  private final Map<NodeId, RaftNode> nodes = new LinkedHashMap<>();
  private final Map<NodeId, RecordingStateMachine> machines = new LinkedHashMap<>();
  private final Map<NodeId, InMemoryLogStorage> logs = new LinkedHashMap<>();
  private Scheduler networkScheduler;

  @AfterEach
  void tearDown() {
    nodes.values().forEach(RaftNode::close);
    if (networkScheduler != null) {
      networkScheduler.shutdown();
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " within 30 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private RaftNode leader() {
    awaitTrue(() -> nodes.values().stream().anyMatch(n -> n.status().isLeader()), "a leader");
    return nodes.values().stream().filter(n -> n.status().isLeader()).findFirst().orElseThrow();
  }

  private void propose(String prefix, int count) throws Exception {
    List<CompletableFuture<Committed>> inFlight = new ArrayList<>();
    RaftNode leader = leader();
    for (int i = 0; i < count; i++) {
      inFlight.add(leader.propose(Bytes.ofUtf8(prefix + i)));
      if (inFlight.size() >= 16) {
        inFlight.remove(0).get(30, TimeUnit.SECONDS);
      }
    }
    for (CompletableFuture<Committed> f : inFlight) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void isolatedFollowerCatchesUpBySnapshotWhileTheLeaderKeepsCompacting() throws Exception {
    networkScheduler = Scheduler.system();
    VirtualNetwork network = new VirtualNetwork(networkScheduler, new SplittableRandom(3));
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    for (NodeId id : ids) {
      RecordingStateMachine machine = new RecordingStateMachine();
      InMemoryLogStorage log = new InMemoryLogStorage();
      machines.put(id, machine);
      logs.put(id, log);
      nodes.put(
          id,
          RaftNode.builder()
              .id(id)
              .membership(Membership.ofVoters(ids))
              .config(RaftConfig.builder().electionTicks(20).heartbeatTicks(2).build())
              .stateMachine(machine)
              .logStorage(log)
              .stateStorage(new InMemoryStateStorage())
              .snapshotStorage(new InMemorySnapshotStorage())
              .transport(network.transport(id))
              .tickInterval(Duration.ofMillis(10))
              .seed(id.hashCode())
              .snapshotThreshold(20)
              .snapshotTrailingEntries(5)
              .snapshotChunkBytes(128)
              .snapshotWindow(2)
              .build());
    }
    nodes.values().forEach(n -> n.start().join());
    NodeId lagging =
        ids.stream().filter(id -> !nodes.get(id).status().isLeader()).findFirst().orElseThrow();
    leader();
    network.isolate(lagging);
    propose("a", 300);
    network.heal();
    propose("b", 100); // proposals and compaction go on during the transfer
    List<Bytes> expected = machines.get(leader().id()).applied();
    awaitTrue(
        () -> machines.values().stream().allMatch(m -> m.applied().size() >= expected.size()),
        "every node applies " + expected.size() + " commands");
    for (NodeId id : ids) {
      assertThat(machines.get(id).applied().subList(0, expected.size()))
          .as("state of %s", id)
          .isEqualTo(expected);
    }
    assertThat(logs.get(lagging).firstIndex()).isGreaterThan(1);
  }
}
