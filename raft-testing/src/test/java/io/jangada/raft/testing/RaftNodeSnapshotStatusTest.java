package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftNode;
import io.jangada.raft.Scheduler;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.transport.ForwardingTransport;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On real threads: once {@link RaftNode#snapshot()} completes, {@link RaftNode#status()} reports
 * the snapshot, even if the node's loop thread has not run since (a loaded machine). The example KV
 * server answers POST /v1/admin/snapshot from the future and a client reads /v1/status next;
 * KvClusterIT saw the old snapshot index there when the loop was late.
 */
class RaftNodeSnapshotStatusTest {

  private final List<RaftNode> nodes = new ArrayList<>();
  private final List<LoopGate> gates = new ArrayList<>();
  private final List<HeldSnapshots> machines = new ArrayList<>();
  private Scheduler networkScheduler;

  @AfterEach
  void tearDown() {
    gates.forEach(LoopGate::open);
    machines.forEach(HeldSnapshots::release);
    nodes.forEach(RaftNode::close);
    if (networkScheduler != null) {
      networkScheduler.shutdown();
    }
  }

  /** Blocks the node's loop thread in its next send once {@link #hold} was called. */
  private static final class LoopGate extends ForwardingTransport {
    private volatile boolean holding;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);

    LoopGate(Transport delegate) {
      super(delegate);
    }

    void hold() {
      holding = true;
    }

    void open() {
      opened.countDown();
    }

    @Override
    public void send(Message message) {
      if (holding) {
        held.countDown();
        try {
          opened.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      super.send(message);
    }
  }

  /** A state machine whose snapshots are written only after {@link #release}. */
  private static final class HeldSnapshots extends WrappedSnapshots {
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);

    void release() {
      released.countDown();
    }

    @Override
    SnapshotWriter wrap(SnapshotWriter writer) {
      return out -> {
        writing.countDown();
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        writer.writeTo(out);
      };
    }
  }

  @Test
  void statusReportsASnapshotAsSoonAsItsFutureCompletes() throws Exception {
    networkScheduler = Scheduler.system();
    VirtualNetwork network = new VirtualNetwork(networkScheduler, new SplittableRandom(11));
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    for (NodeId id : ids) {
      LoopGate gate = new LoopGate(network.transport(id));
      HeldSnapshots machine = new HeldSnapshots();
      gates.add(gate);
      machines.add(machine);
      nodes.add(
          RaftNode.builder()
              .id(id)
              .membership(Membership.ofVoters(ids))
              .config(RaftConfig.builder().electionTicks(20).heartbeatTicks(2).build())
              .stateMachine(machine)
              .logStorage(new InMemoryLogStorage())
              .stateStorage(new InMemoryStateStorage())
              .transport(gate)
              .tickInterval(Duration.ofMillis(10))
              .seed(id.hashCode())
              .build());
    }
    nodes.forEach(n -> n.start().join());
    int leader = awaitLeader();
    RaftNode node = nodes.get(leader);
    long index = node.propose(Bytes.ofUtf8("x")).get(30, TimeUnit.SECONDS).index();
    long before = node.status().snapshotIndex();

    var snapshot = node.snapshot();
    HeldSnapshots machine = machines.get(leader);
    assertThat(machine.writing.await(30, TimeUnit.SECONDS)).as("snapshot started").isTrue();
    // Hold the loop thread (in its next heartbeat's send) while the snapshot finishes.
    LoopGate gate = gates.get(leader);
    gate.hold();
    assertThat(gate.held.await(30, TimeUnit.SECONDS)).as("loop thread held").isTrue();
    machine.release();
    SnapshotMeta meta = snapshot.get(30, TimeUnit.SECONDS);

    assertThat(meta.index()).isGreaterThanOrEqualTo(index).isGreaterThan(before);
    assertThat(node.status().snapshotIndex()).isEqualTo(meta.index());
    gate.open();
  }

  private int awaitLeader() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < nodes.size(); i++) {
        if (nodes.get(i).status().isLeader()) {
          return i;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    throw new AssertionError("no leader within 30 s");
  }
}
