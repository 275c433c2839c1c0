package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.storage.StateStorage;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order in which the node's loop hands work to its other lanes (docs/threading.md), in virtual
 * time: which lane a round wakes first decides which one gets a free core first.
 */
class RaftNodeHandOffOrderTest {

  private static final NodeId LEADER = NodeId.of("n1");
  private static final NodeId SELF = NodeId.of("n2");
  private static final NodeId OTHER = NodeId.of("n3");

  private final ManualScheduler manual = new ManualScheduler();
  // The lane name of every task handed to a lane, in hand-off order.
  private final List<String> handOffs = new CopyOnWriteArrayList<>();
  private final List<Message> sent = new CopyOnWriteArrayList<>();
  // What reached the transport and the state file, in order ("ack N", "save commit N").
  private final List<String> effects = new CopyOnWriteArrayList<>();
  private final RecordingStateMachine machine = new RecordingStateMachine();
  private final InMemoryLogStorage log = new InMemoryLogStorage();
  private Transport.Inbox inbox;
  private RaftNode node;

  @AfterEach
  void tearDown() {
    if (node != null) {
      node.close();
    }
  }

  /**
   * A follower's request that brings a new entry and commits an earlier one: the loop hands the
   * write (on the acknowledgement's path) to the log writer before it hands the apply (on nobody's
   * path) to the apply thread.
   */
  @Test
  void aFollowerHandsTheNewEntryToTheWriterBeforeTheCommittedOneToTheApplier() throws Exception {
    start();
    LogEntry first = LogEntry.command(1, 1, Bytes.ofUtf8("a"));
    LogEntry second = LogEntry.command(2, 1, Bytes.ofUtf8("b"));
    inbox.receive(new Message.AppendRequest(LEADER, SELF, 1, 0, 0, List.of(first), 0));
    manual.runUntilIdle();
    assertThat(acknowledged()).isEqualTo(1);
    assertThat(machine.applied()).isEmpty();

    handOffs.clear();
    inbox.receive(new Message.AppendRequest(LEADER, SELF, 1, 1, 1, List.of(second), 1));
    manual.runUntilIdle();
    List<String> round = new ArrayList<>();
    for (String lane : handOffs) {
      if (lane.startsWith("jangada-log-") || lane.startsWith("jangada-apply-")) {
        round.add(lane.substring(0, lane.lastIndexOf('-')));
      }
    }

    // The round that stepped the request handed work to both lanes, the writer first.
    assertThat(round).hasSizeGreaterThanOrEqualTo(2);
    assertThat(round.subList(0, 2)).containsExactly("jangada-log", "jangada-apply");
    assertThat(machine.applied()).containsExactly(Bytes.ofUtf8("a"));
    assertThat(log.lastIndex()).isEqualTo(2);
    assertThat(acknowledged()).isEqualTo(2);
  }

  /**
   * The commit index is saved to the state file every {@code LogWriter.COMMIT_SAVE_INTERVAL}
   * commits (two syncs of the state file); the acknowledgement of the entries synced in the same
   * batch leaves first instead of waiting for that save.
   */
  @Test
  void theAcknowledgementDoesNotWaitForTheCommitIndexToBeSaved() throws Exception {
    start();
    List<LogEntry> many = new ArrayList<>();
    for (long index = 1; index <= 1_100; index++) {
      many.add(LogEntry.command(index, 1, Bytes.ofUtf8("e" + index)));
    }
    inbox.receive(new Message.AppendRequest(LEADER, SELF, 1, 0, 0, many, 0));
    manual.runUntilIdle();
    effects.clear();

    LogEntry next = LogEntry.command(1_101, 1, Bytes.ofUtf8("next"));
    inbox.receive(new Message.AppendRequest(LEADER, SELF, 1, 1_100, 1, List.of(next), 1_100));
    manual.runUntilIdle();

    assertThat(effects).containsSubsequence("ack 1101", "save commit 1100");
    assertThat(machine.applied()).hasSize(1_100);
  }

  private long acknowledged() {
    long match = 0;
    for (Message message : sent) {
      if (message instanceof Message.AppendResponse ack && ack.success()) {
        match = Math.max(match, ack.matchIndex());
      }
    }
    return match;
  }

  private void start() throws Exception {
    node =
        RaftNode.builder()
            .id(SELF)
            .membership(Membership.ofVoters(LEADER, SELF, OTHER))
            .stateMachine(machine)
            .logStorage(log)
            .stateStorage(new RecordingStateStorage())
            .snapshotStorage(new InMemorySnapshotStorage())
            .transport(new CapturingTransport())
            .scheduler(new RecordingScheduler())
            .seed(1)
            .tickInterval(Duration.ofMillis(10))
            .callbackExecutor(Runnable::run)
            .build();
    var started = node.start();
    manual.runUntilIdle();
    started.get(1, TimeUnit.SECONDS);
  }

  /** The manual scheduler, recording which lane each task is handed to. */
  private final class RecordingScheduler implements Scheduler {
    @Override
    public Executor newLane(String name) {
      Executor lane = manual.newLane(name);
      return task -> {
        handOffs.add(name);
        lane.execute(task);
      };
    }

    @Override
    public Cancellable schedule(Duration delay, Executor lane, Runnable task) {
      return manual.schedule(delay, lane, task);
    }

    @Override
    public long nanoTime() {
      return manual.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
      return manual.currentTimeMillis();
    }

    @Override
    public boolean awaitDone(java.util.concurrent.Future<?> future, Duration timeout) {
      return manual.awaitDone(future, timeout);
    }

    @Override
    public void shutdown() {
      manual.shutdown();
    }
  }

  /** The in-memory state file, recording each save of a moved commit index. */
  private final class RecordingStateStorage implements StateStorage {
    private final InMemoryStateStorage delegate = new InMemoryStateStorage();

    @Override
    public HardState load() throws IOException {
      return delegate.load();
    }

    @Override
    public void save(HardState state) throws IOException {
      if (state.commit() != delegate.load().commit()) {
        effects.add("save commit " + state.commit());
      }
      delegate.save(state);
    }
  }

  /** Keeps the node's inbox and what it sends; there is no one else. */
  private final class CapturingTransport implements Transport {
    @Override
    public void start(Inbox inbox) {
      RaftNodeHandOffOrderTest.this.inbox = inbox;
    }

    @Override
    public void send(Message message) {
      sent.add(message);
      if (message instanceof Message.AppendResponse ack && ack.success()) {
        effects.add("ack " + ack.matchIndex());
      }
    }

    @Override
    public void close() {}
  }
}
