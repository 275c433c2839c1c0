package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.ReadConsistency;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A leader whose process stops for longer than its lease (a GC stall, SIGSTOP) while the others
 * elect a new leader and commit more: when it runs again it must count the ticks it missed before
 * it answers a LEASE read, whichever of the read and its next timer tick waited first in its queue,
 * and even when no news of the new leader reached it yet (it was also cut off meanwhile). Three
 * RaftNodes in virtual time; the paused node's tasks (its timers, messages to it, its own lanes)
 * are held, as a stopped process's, while the shared clock moves on.
 */
class RaftNodePausedLeaderTest {

  private static final Duration TICK = Duration.ofMillis(10);
  private static final RaftConfig CONFIG = RaftConfig.builder().build(); // leases on by default

  private final ManualScheduler clock = new ManualScheduler();
  private final VirtualNetwork network = new VirtualNetwork(clock, new SplittableRandom(7));
  private final Map<NodeId, PausableScheduler> schedulers = new TreeMap<>();
  private final Map<NodeId, RaftNode> nodes = new TreeMap<>();

  @AfterEach
  void tearDown() {
    nodes.values().forEach(node -> node.close(Duration.ZERO));
    clock.shutdown();
  }

  /** The read reached the stopped leader before its next tick timer fired. */
  @Test
  void readQueuedBeforeTheMissedTicksIsNotAnsweredFromTheExpiredLease() {
    pausedLeaderAnswersNoStaleRead(true);
  }

  /** The tick timer fired during the pause, the read came later: one tick is not the pause. */
  @Test
  void readQueuedAfterALateTickIsNotAnsweredFromTheExpiredLease() {
    pausedLeaderAnswersNoStaleRead(false);
  }

  /**
   * A pause of a minute (6,000 ticks): the node gets them all at once when it runs again (at most
   * three election timeouts of them reach its core), steps down, and follows the new leader; a
   * LEASE read issued then goes through the new leader.
   */
  @Test
  void afterALongPauseTheOldLeaderFollowsTheNewOne() {
    startCluster(12);
    NodeId old = awaitLeader(Optional.empty());
    await(nodes.get(old).propose(Bytes.ofUtf8("a")));
    schedulers.get(old).pause();
    NodeId next = awaitLeader(Optional.of(old));
    long term = nodes.get(next).status().term();
    clock.advance(Duration.ofMinutes(1));
    await(nodes.get(next).propose(Bytes.ofUtf8("b")));
    schedulers.get(old).resume();
    CompletableFuture<Bytes> read =
        nodes.get(old).query(Bytes.ofUtf8("all"), ReadConsistency.LEASE);
    clock.awaitDone(read, Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(1));

    assertThat(nodes.get(old).status().isLeader()).isFalse();
    assertThat(nodes.get(old).status().leader()).contains(next);
    assertThat(nodes.get(old).status().term()).isEqualTo(term);
    assertThat(nodes.get(next).status().isLeader()).isTrue();
    assertThat(read).isCompletedWithValue(utf8("a,b")); // through the new leader
  }

  private void pausedLeaderAnswersNoStaleRead(boolean readFirst) {
    startCluster(11);
    NodeId old = awaitLeader(Optional.empty());
    RaftNode oldLeader = nodes.get(old);
    await(oldLeader.propose(Bytes.ofUtf8("a")));
    clock.advance(TICK.multipliedBy(10)); // heartbeats acknowledged: the lease holds
    CompletableFuture<Bytes> fresh = oldLeader.query(Bytes.ofUtf8("all"), ReadConsistency.LEASE);
    clock.runUntilIdle();
    assertThat(fresh)
        .as("answered from the lease, no time passing")
        .isCompletedWithValue(utf8("a"));

    long pausedAt = clock.nanoTime();
    schedulers.get(old).pause();
    network.isolate(old); // no news of the new leader reaches it before the read
    CompletableFuture<Bytes> read = null;
    if (readFirst) {
      read = oldLeader.query(Bytes.ofUtf8("all"), ReadConsistency.LEASE);
    }
    NodeId next = awaitLeader(Optional.of(old));
    await(nodes.get(next).propose(Bytes.ofUtf8("b")));
    if (!readFirst) {
      read = oldLeader.query(Bytes.ofUtf8("all"), ReadConsistency.LEASE);
    }
    Duration lease = TICK.multipliedBy(CONFIG.electionTicks() - CONFIG.leaseMarginTicks());
    assertThat(Duration.ofNanos(clock.nanoTime() - pausedAt)).isGreaterThan(lease);
    schedulers.get(old).resume();
    clock.runUntilIdle();
    network.heal();
    clock.awaitDone(read, Duration.ofSeconds(5));

    assertThat(read).isDone();
    // Not from the lease: a ReadIndex round, whose answer (here: no longer the leader) is current.
    Throwable failure = read.handle((value, error) -> error).join();
    if (failure == null) {
      assertThat(read.join().toUtf8()).as("a linearizable read after b committed").isEqualTo("a,b");
    } else {
      assertThat(failure).isInstanceOf(NotLeaderException.class);
    }
  }

  private void startCluster(long seed) {
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    for (NodeId id : ids) {
      PausableScheduler scheduler = new PausableScheduler(clock);
      schedulers.put(id, scheduler);
      RaftNode node =
          RaftNode.builder()
              .id(id)
              .membership(Membership.ofVoters(ids))
              .config(CONFIG)
              .stateMachine(new RecordingStateMachine())
              .logStorage(new InMemoryLogStorage())
              .stateStorage(new InMemoryStateStorage())
              .snapshotStorage(new InMemorySnapshotStorage())
              .transport(network.transport(id))
              .tickInterval(TICK)
              .scheduler(scheduler)
              .random(new SplittableRandom(seed + nodes.size()))
              .callbackExecutor(Runnable::run)
              .build();
      nodes.put(id, node);
      CompletableFuture<Void> started = node.start();
      clock.runUntilIdle();
      started.join();
    }
  }

  /** Moves time until a node other than {@code except} leads; returns it. */
  private NodeId awaitLeader(Optional<NodeId> except) {
    for (int step = 0; step < 500; step++) {
      for (Map.Entry<NodeId, RaftNode> e : nodes.entrySet()) {
        if (!except.equals(Optional.of(e.getKey())) && e.getValue().status().isLeader()) {
          return e.getKey();
        }
      }
      clock.advance(TICK);
    }
    throw new AssertionError("no leader (other than " + except + ") within 5 s");
  }

  private void await(CompletableFuture<Committed> future) {
    assertThat(clock.awaitDone(future, Duration.ofSeconds(5))).isTrue();
    future.join();
  }

  private static Bytes utf8(String s) {
    return Bytes.ofUtf8(s);
  }

  /**
   * One node's view of the shared virtual clock. {@link #pause} holds every task of the node (its
   * lanes', its timers' and the messages delivered to it) as a stopped process would, while the
   * clock moves on; {@link #resume} releases them in order.
   */
  static final class PausableScheduler implements Scheduler {
    private final ManualScheduler clock;
    private final List<Runnable> held = new ArrayList<>();
    private boolean paused;

    PausableScheduler(ManualScheduler clock) {
      this.clock = clock;
    }

    synchronized void pause() {
      paused = true;
    }

    void resume() {
      List<Runnable> released;
      synchronized (this) {
        paused = false;
        released = List.copyOf(held);
        held.clear();
      }
      released.forEach(Runnable::run);
    }

    @Override
    public Executor newLane(String name) {
      Executor lane = clock.newLane(name);
      return task -> {
        synchronized (this) {
          if (paused) {
            held.add(() -> lane.execute(task));
            return;
          }
        }
        lane.execute(task);
      };
    }

    @Override
    public Cancellable schedule(Duration delay, Executor lane, Runnable task) {
      return clock.schedule(delay, lane, task); // fires into the node's lane: held while paused
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
      return clock.currentTimeMillis();
    }

    @Override
    public synchronized void shutdown() {
      held.clear();
    }

    @Override
    public boolean awaitDone(Future<?> future, Duration timeout) {
      return clock.awaitDone(future, timeout);
    }
  }
}
