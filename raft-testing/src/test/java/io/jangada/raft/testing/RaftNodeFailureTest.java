package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.Committed;
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
    assertThatThrownBy(doomed::join)
        .hasCauseInstanceOf(StorageFailedException.class)
        .hasRootCauseMessage("disk on fire");

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
        RaftNode.builder()
            .id(N1)
            .membership(Membership.ofVoters(N1))
            .stateMachine(new RecordingStateMachine())
            .logStorage(new InMemoryLogStorage())
            .stateStorage(new InMemoryStateStorage())
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
