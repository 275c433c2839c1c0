package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.ManualScheduler;
import io.jangada.raft.testing.RecordingStateMachine;
import io.jangada.raft.testing.VirtualNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link RaftNode}s on {@link FileStorage}, in virtual time: whole-cluster and rolling
 * restarts (close and reopen the data directories, as after a process kill) keep every acknowledged
 * write, and each restarted node rebuilds its state by replaying its own log.
 */
class FileStorageClusterTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final Duration TICK = Duration.ofMillis(10);

  @TempDir Path dir;

  private final ManualScheduler scheduler = new ManualScheduler();
  private final VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(3));
  private final Map<NodeId, Running> nodes = new LinkedHashMap<>();
  private long seed = 100;

  private record Running(FileStorage storage, RecordingStateMachine machine, RaftNode node) {}

  @AfterEach
  void tearDown() throws IOException {
    for (NodeId id : List.copyOf(nodes.keySet())) {
      stop(id);
    }
  }

  private void start(NodeId id) throws IOException {
    FileStorage storage =
        FileStorage.open(
            dir.resolve(id.value()),
            new DataDirIdentity("test", id),
            FileStorageOptions.builder().segmentSizeBytes(4096).build()); // many segments
    RecordingStateMachine machine = new RecordingStateMachine();
    RaftNode node =
        RaftNode.builder()
            .id(id)
            .membership(Membership.ofVoters(IDS))
            .stateMachine(machine)
            .logStorage(storage.log())
            .stateStorage(storage.state())
            .snapshotStorage(storage.snapshots())
            .transport(network.transport(id))
            .scheduler(scheduler)
            .tickInterval(TICK)
            .seed(seed++)
            .callbackExecutor(Runnable::run)
            .build();
    CompletableFuture<Void> started = node.start();
    scheduler.runUntilIdle();
    started.join();
    nodes.put(id, new Running(storage, machine, node));
  }

  /** Stops a node abruptly and releases its directory, as a killed process would. */
  private void stop(NodeId id) throws IOException {
    Running running = nodes.remove(id);
    if (running != null) {
      running.node().close();
      running.storage().close();
    }
  }

  private void awaitUntil(BooleanSupplier condition, String what) {
    for (int i = 0; i < 2_000 && !condition.getAsBoolean(); i++) {
      scheduler.advance(TICK);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  private RaftNode leader() {
    awaitUntil(
        () -> nodes.values().stream().anyMatch(r -> r.node().status().isLeader()), "a leader");
    return nodes.values().stream()
        .map(Running::node)
        .filter(n -> n.status().isLeader())
        .findFirst()
        .orElseThrow();
  }

  private void write(List<String> acknowledged, String command) {
    for (int attempt = 0; attempt < 20; attempt++) {
      CompletableFuture<Committed> future = leader().propose(Bytes.ofUtf8(command));
      awaitUntil(future::isDone, "proposal " + command + " completes");
      if (!future.isCompletedExceptionally()) {
        acknowledged.add(command);
        return;
      }
    }
    throw new AssertionError("could not write " + command);
  }

  private List<String> applied(NodeId id) {
    return nodes.get(id).machine().applied().stream()
        .map(Bytes::toUtf8)
        .collect(Collectors.toList());
  }

  private void assertEveryNodeHas(List<String> acknowledged) {
    awaitUntil(
        () -> nodes.keySet().stream().allMatch(id -> applied(id).equals(acknowledged)),
        "every node applies exactly the acknowledged writes");
  }

  @Test
  void wholeClusterRestartKeepsEveryAcknowledgedWrite() throws IOException {
    for (NodeId id : IDS) {
      start(id);
    }
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      write(acknowledged, "w" + i);
    }
    assertEveryNodeHas(acknowledged);

    for (NodeId id : IDS) {
      stop(id);
    }
    for (NodeId id : IDS) {
      start(id);
    }
    write(acknowledged, "after-restart");
    assertEveryNodeHas(acknowledged);
    assertThat(nodes.get(IDS.get(0)).storage().log().firstIndex()).isEqualTo(1);
  }

  @Test
  void rollingRestartsWhileWritingKeepEveryAcknowledgedWrite() throws IOException {
    for (NodeId id : IDS) {
      start(id);
    }
    List<String> acknowledged = new ArrayList<>();
    int n = 0;
    for (int round = 0; round < 6; round++) {
      NodeId victim = IDS.get(round % IDS.size());
      stop(victim);
      for (int i = 0; i < 20; i++) {
        write(acknowledged, "r" + round + "-" + n++);
      }
      start(victim);
      for (int i = 0; i < 5; i++) {
        write(acknowledged, "r" + round + "-" + n++);
      }
    }
    assertEveryNodeHas(acknowledged);
  }
}
