package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A node whose storage fails stops, fails what is pending and acknowledges nothing more. */
class RaftNodeFailureTest {

  private static final NodeId N1 = NodeId.of("n1");

  /** A log whose sync starts failing on demand. */
  private static final class FailingLog extends ForwardingLogStorage {
    final AtomicBoolean failSync = new AtomicBoolean();

    @Override
    public void sync() throws IOException {
      if (failSync.get()) {
        throw new IOException("disk on fire");
      }
      super.sync();
    }
  }

  /**
   * A query that throws fails that read alone, with the state machine's exception, at every
   * consistency, as {@code StateMachine.query} documents: unlike a throwing apply, it does not stop
   * the node.
   */
  @Test
  void aQueryThatThrowsFailsThatReadAndTheNodeGoesOn() {
    RecordingStateMachine recording = new RecordingStateMachine();
    io.jangada.raft.StateMachine picky =
        new io.jangada.raft.StateMachine() {
          @Override
          public Bytes apply(long index, Bytes command) {
            return recording.apply(index, command);
          }

          @Override
          public Bytes query(Bytes request) {
            if (request.toUtf8().equals("bad")) {
              throw new IllegalArgumentException("malformed query");
            }
            return recording.query(request);
          }

          @Override
          public SnapshotWriter snapshot() {
            return recording.snapshot();
          }

          @Override
          public void restore(io.jangada.raft.model.SnapshotMeta meta, java.io.InputStream data)
              throws IOException {
            recording.restore(meta, data);
          }
        };
    try (InMemoryCluster cluster =
        InMemoryCluster.builder().nodes(1).seed(3).stateMachines(id -> picky).build()) {
      RaftNode node = cluster.node(cluster.awaitLeader());
      cluster.await(node.propose(Bytes.ofUtf8("a")));
      for (io.jangada.raft.ReadConsistency consistency : io.jangada.raft.ReadConsistency.values()) {
        CompletableFuture<Bytes> bad = node.query(Bytes.ofUtf8("bad"), consistency);
        cluster.advance(Duration.ofMillis(100));
        assertThatThrownBy(bad::join)
            .as("%s", consistency)
            .hasCauseInstanceOf(IllegalArgumentException.class)
            .hasRootCauseMessage("malformed query");
      }
      assertThat(node.status().isRunning()).isTrue();
      assertThat(cluster.await(node.query(Bytes.ofUtf8("size"))).toUtf8()).isEqualTo("1");
      assertThat(cluster.await(node.propose(Bytes.ofUtf8("b"))).result().toUtf8()).isEqualTo("2");
    }
  }

  @Test
  void storageFailureStopsTheNodeAndFailsEveryPendingRequest() {
    ManualScheduler scheduler = new ManualScheduler();
    VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(1));
    FailingLog log = new FailingLog();
    RaftNode node =
        RaftNode.builder()
            .id(N1)
            .membership(Membership.ofVoters(N1))
            .stateMachine(new RecordingStateMachine())
            .logStorage(log)
            .stateStorage(new InMemoryStateStorage())
            .transport(network.transport(N1))
            .scheduler(scheduler)
            .seed(1)
            .tickInterval(Duration.ofMillis(10))
            .callbackExecutor(Runnable::run)
            .build();
    node.start();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(node.status().isLeader()).isTrue();
    CompletableFuture<Committed> ok = node.propose(Bytes.ofUtf8("ok"));
    scheduler.advance(Duration.ofMillis(100));
    assertThat(ok.join().result().toUtf8()).isEqualTo("1");

    log.failSync.set(true);
    CompletableFuture<Committed> doomed = node.propose(Bytes.ofUtf8("doomed"));
    scheduler.advance(Duration.ofMillis(100));
    // Written (its sync failed): if the write reached the disk, a restart may still commit it.
    assertThatThrownBy(doomed::join)
        .hasCauseInstanceOf(IndeterminateResultException.class)
        .hasRootCauseMessage("disk on fire")
        .satisfies(
            e -> assertThat(e.getCause().getCause()).isInstanceOf(StorageFailedException.class));

    CompletableFuture<Committed> after = node.propose(Bytes.ofUtf8("after"));
    scheduler.advance(Duration.ofMillis(100));
    assertThatThrownBy(after::join).hasCauseInstanceOf(StorageFailedException.class);
    node.close();
  }

  @Test
  void builderNamesWhatIsMissing() {
    assertThatThrownBy(() -> RaftNode.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("id is required");
    assertThatThrownBy(
            () ->
                RaftNode.builder()
                    .id(N1)
                    .membership(Membership.ofVoters(NodeId.of("n2")))
                    .stateMachine(new RecordingStateMachine())
                    .logStorage(new InMemoryLogStorage())
                    .stateStorage(new InMemoryStateStorage())
                    .transport(
                        new VirtualNetwork(new ManualScheduler(), new SplittableRandom())
                            .transport(N1))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a member");
  }

  @Test
  void requestsBeforeStartFailClearly() {
    ManualScheduler scheduler = new ManualScheduler();
    RaftNode node =
        OneVoter.inMemory(N1)
            .transport(new VirtualNetwork(scheduler, new SplittableRandom()).transport(N1))
            .scheduler(scheduler)
            .callbackExecutor(Runnable::run)
            .build();
    CompletableFuture<Committed> future = node.propose(Bytes.ofUtf8("x"));
    scheduler.runUntilIdle();
    assertThatThrownBy(future::join)
        .hasCauseInstanceOf(NodeClosedException.class)
        .hasMessageContaining("not started");
    node.close();
  }
}
