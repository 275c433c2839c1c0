package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.StateMachine;
import io.jangada.raft.StateMachineException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.storage.StateStorage;
import io.jangada.raft.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bug 4 of issue 12: a node whose storage or state machine failed must not linger as a zombie
 * leader. It reports FAILED (follower, no leader, the cause), sends nothing more so the others
 * elect a new leader, fails every request fast, and says what happened: a storage failure, a state
 * machine failure, or "may or may not take effect" only for proposals that were written or sent.
 */
class RaftNodeFailStopTest {

  private static final Duration TICK = Duration.ofMillis(10);
  private final ManualScheduler scheduler = new ManualScheduler();
  private final VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(7));
  private final Map<NodeId, RaftNode> nodes = new LinkedHashMap<>();
  private final Map<NodeId, FailingLog> logs = new LinkedHashMap<>();
  private final Map<NodeId, CountingTransport> transports = new LinkedHashMap<>();
  private final Map<NodeId, FailingState> states = new LinkedHashMap<>();

  @AfterEach
  void tearDown() {
    nodes.values().forEach(n -> n.close(Duration.ZERO));
    scheduler.shutdown();
  }

  /** A log whose sync fails once asked to, as on a full disk. */
  static final class FailingLog extends ForwardingLogStorage {
    final AtomicBoolean failSync = new AtomicBoolean();

    @Override
    public void sync() throws IOException {
      if (failSync.get()) {
        throw new IOException("No space left on device");
      }
      super.sync();
    }
  }

  /** A state storage whose saves fail once asked to, as on a read-only disk. */
  static final class FailingState implements StateStorage {
    final InMemoryStateStorage delegate = new InMemoryStateStorage();
    final AtomicBoolean failSave = new AtomicBoolean();

    @Override
    public HardState load() {
      return delegate.load();
    }

    @Override
    public void save(HardState state) throws IOException {
      if (failSave.get()) {
        throw new FileSystemException("/data/state.tmp", null, "Read-only file system");
      }
      delegate.save(state);
    }
  }

  /** Counts what a node sends. */
  static final class CountingTransport implements Transport {
    final Transport delegate;
    final AtomicLong sent = new AtomicLong();

    CountingTransport(Transport delegate) {
      this.delegate = delegate;
    }

    @Override
    public void start(Inbox inbox) throws IOException {
      delegate.start(inbox);
    }

    @Override
    public void send(Message message) {
      sent.incrementAndGet();
      delegate.send(message);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Applies like {@link RecordingStateMachine} but throws on the command "boom". */
  static final class ExplodingStateMachine implements StateMachine {
    final RecordingStateMachine delegate = new RecordingStateMachine();

    @Override
    public Bytes apply(long index, Bytes command) {
      if (command.toUtf8().equals("boom")) {
        throw new IllegalArgumentException("cannot apply boom");
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
    public void restore(SnapshotMeta meta, InputStream data) throws IOException {
      delegate.restore(meta, data);
    }
  }

  private void startCluster(int size, StateMachine stateMachine) {
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      ids.add(NodeId.of("n" + i));
    }
    for (NodeId id : ids) {
      FailingLog log = new FailingLog();
      FailingState state = new FailingState();
      CountingTransport transport = new CountingTransport(network.transport(id));
      RaftNode node =
          RaftNode.builder()
              .id(id)
              .membership(Membership.ofVoters(ids))
              .stateMachine(size == 1 ? stateMachine : new RecordingStateMachine())
              .logStorage(log)
              .stateStorage(state)
              .transport(transport)
              .scheduler(scheduler)
              .seed(id.hashCode())
              .tickInterval(TICK)
              .callbackExecutor(Runnable::run)
              .build();
      logs.put(id, log);
      states.put(id, state);
      transports.put(id, transport);
      nodes.put(id, node);
      node.start();
    }
    scheduler.runUntilIdle();
  }

  private NodeId awaitLeader() {
    for (int i = 0; i < 1000; i++) {
      Optional<NodeId> leader =
          nodes.values().stream().filter(n -> n.status().isLeader()).map(RaftNode::id).findFirst();
      if (leader.isPresent()) {
        return leader.get();
      }
      scheduler.advance(TICK);
    }
    throw new AssertionError("no leader within 10 s of virtual time");
  }

  @Test
  void aLeaderWhoseDiskFillsUpStopsServingAndTheOthersElectANewLeader() {
    startCluster(3, null);
    NodeId oldId = awaitLeader();
    RaftNode old = nodes.get(oldId);
    scheduler.advance(Duration.ofMillis(200));
    assertThat(await(old.propose(Bytes.ofUtf8("before"))).index()).isPositive();

    logs.get(oldId).failSync.set(true);
    CompletableFuture<Committed> doomed = old.propose(Bytes.ofUtf8("doomed"));
    String logged = stderrOf(() -> scheduler.advance(Duration.ofMillis(50)));

    // One ERROR line in plain words, without a stack trace (an operator's problem, not a bug).
    assertThat(logged.lines().filter(l -> l.contains("stops:")))
        .singleElement()
        .asString()
        .contains("ERROR")
        .contains(
            "node "
                + oldId
                + " stops: storage failed while persisting the log: No space left on device;")
        .contains("restart the node");
    assertThat(logged).doesNotContain("\tat ").doesNotContain("java.io.IOException");

    // The outcome of a proposal that was written and sent is unknown: the others may commit it.
    Throwable doomedFailure = catchThrowable(doomed::join).getCause();
    assertThat(doomedFailure)
        .isInstanceOf(IndeterminateResultException.class)
        .hasCauseInstanceOf(StorageFailedException.class);
    RaftStatus status = old.status();
    assertThat(status.state()).isEqualTo(RaftStatus.State.FAILED);
    assertThat(status.role()).isEqualTo(Role.FOLLOWER);
    assertThat(status.isLeader()).isFalse();
    assertThat(status.leader()).isEmpty();
    assertThat(status.failure()).get().asString().contains("No space left on device");
    assertThat(old.stopped()).isCompletedExceptionally();
    assertThat(catchThrowable(() -> old.stopped().join()))
        .hasCauseInstanceOf(StorageFailedException.class);

    // It sends nothing more: no heartbeat keeps the others from electing a new leader.
    long sentAtFailure = transports.get(oldId).sent.get();
    NodeId newId = awaitLeaderOtherThan(oldId);
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(transports.get(oldId).sent.get()).isEqualTo(sentAtFailure);
    CompletableFuture<Committed> elsewhere = nodes.get(newId).propose(Bytes.ofUtf8("after"));
    scheduler.advance(Duration.ofMillis(200));
    assertThat(elsewhere).isCompleted();

    // Every request to the failed node fails fast with the storage failure: nothing appended.
    CompletableFuture<Committed> write = old.propose(Bytes.ofUtf8("late"));
    CompletableFuture<Bytes> read = old.query(Bytes.ofUtf8("all"));
    CompletableFuture<NodeId> leader = old.awaitLeader(Duration.ofSeconds(5));
    scheduler.runUntilIdle();
    for (CompletableFuture<?> request : List.of(write, read, leader)) {
      assertThat(catchThrowable(request::join))
          .hasCauseInstanceOf(StorageFailedException.class)
          .hasRootCauseMessage("No space left on device");
    }
    assertThat(old.status().state()).isEqualTo(RaftStatus.State.FAILED);
  }

  @Test
  void aFollowerWhoseStateFileCannotBeSavedStopsNamingTheStateFile() {
    startCluster(3, null);
    NodeId leaderId = awaitLeader();
    NodeId followerId =
        nodes.keySet().stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
    RaftNode follower = nodes.get(followerId);
    states.get(followerId).failSave.set(true);
    await(nodes.get(leaderId).propose(Bytes.ofUtf8("x")));

    // The follower saves the commit index within an election timeout of its moving.
    String logged = stderrOf(() -> scheduler.advance(Duration.ofSeconds(1)));

    assertThat(follower.status().state()).isEqualTo(RaftStatus.State.FAILED);
    assertThat(follower.status().failure())
        .get()
        .asString()
        .contains("saving the state file")
        .contains("Read-only file system");
    assertThat(logged.lines().filter(l -> l.contains("stops:")))
        .singleElement()
        .asString()
        .contains(
            "node "
                + followerId
                + " stops: storage failed while saving the state file: Read-only file system (file"
                + " /data/state.tmp);");
    assertThat(logged).doesNotContain("\tat ");
  }

  /** What slf4j-simple (on System.err) logs while {@code action} runs on this thread. */
  private static String stderrOf(Runnable action) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  private <T> T await(CompletableFuture<T> future) {
    for (int i = 0; i < 1000 && !future.isDone(); i++) {
      scheduler.advance(TICK);
    }
    assertThat(future).isDone();
    return future.join();
  }

  private NodeId awaitLeaderOtherThan(NodeId old) {
    for (int i = 0; i < 1000; i++) {
      for (RaftNode node : nodes.values()) {
        if (!node.id().equals(old) && node.status().isLeader()) {
          return node.id();
        }
      }
      scheduler.advance(TICK);
    }
    throw new AssertionError("no new leader within 10 s of virtual time");
  }

  @Test
  void aStateMachineThatThrowsStopsTheNodeWithAStateMachineException() {
    ExplodingStateMachine machine = new ExplodingStateMachine();
    startCluster(1, machine);
    RaftNode node = nodes.get(awaitLeader());
    assertThat(await(node.propose(Bytes.ofUtf8("fine"))).result().toUtf8()).isEqualTo("1");

    CompletableFuture<Committed> boom = node.propose(Bytes.ofUtf8("boom"));
    String logged = stderrOf(() -> scheduler.advance(Duration.ofMillis(50)));
    // A state machine throwing is a bug: its stack trace is logged with the ERROR.
    assertThat(logged)
        .contains("stops: the state machine of node")
        .contains("java.lang.IllegalArgumentException: cannot apply boom")
        .contains("\tat ");
    Throwable failure = catchThrowable(boom::join).getCause();
    assertThat(failure).isInstanceOf(StateMachineException.class).hasMessageContaining("index");
    assertThat(failure.getCause())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot apply boom");

    CompletableFuture<Committed> after = node.propose(Bytes.ofUtf8("after"));
    scheduler.runUntilIdle();
    assertThat(catchThrowable(after::join)).hasCauseInstanceOf(StateMachineException.class);
    assertThat(node.status().state()).isEqualTo(RaftStatus.State.FAILED);
    assertThat(node.status().failure()).get().asString().contains("cannot apply boom");
    assertThat(machine.delegate.applied()).containsExactly(Bytes.ofUtf8("fine"));
  }
}
