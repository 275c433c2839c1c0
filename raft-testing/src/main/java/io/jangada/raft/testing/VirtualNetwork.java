package io.jangada.raft.testing;

import io.jangada.raft.Scheduler;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * A network whose deliveries are tasks of a {@link Scheduler}, so that with a {@link
 * ManualScheduler} a whole cluster runs in virtual time. Each message is delivered after {@code
 * latency}, or dropped with probability {@code dropRate}, or blocked by a partition. Per-pair order
 * holds while the latency is constant. Randomness comes from the injected generator only. A message
 * to a node without an open transport (never created, not started, or closed) is dropped and its
 * sender hears {@link Transport.Inbox#unreachable}. With {@link io.jangada.raft.Scheduler#system()}
 * the same network serves tests of nodes on real threads.
 *
 * <p>Thread-safe.
 */
public final class VirtualNetwork {

  private final Scheduler scheduler;
  private final Executor lane;
  private final RandomGenerator random;
  private final Map<NodeId, Endpoint> endpoints = new HashMap<>();
  private final Set<String> blocked = new HashSet<>();
  private Duration latency = Duration.ofMillis(1);
  private double dropRate;

  public VirtualNetwork(Scheduler scheduler, RandomGenerator random) {
    this.scheduler = scheduler;
    this.lane = scheduler.newLane("virtual-network");
    this.random = random;
  }

  /** A new transport for {@code id}, replacing (and closing) any previous one. */
  public synchronized Transport transport(NodeId id) {
    Endpoint old = endpoints.get(id);
    if (old != null) {
      old.close();
    }
    Endpoint endpoint = new Endpoint(id);
    endpoints.put(id, endpoint);
    return endpoint;
  }

  /** One-way delivery time. */
  public synchronized void latency(Duration latency) {
    this.latency = latency;
  }

  /** The probability in [0, 1] that a message is lost. */
  public synchronized void dropRate(double dropRate) {
    if (dropRate < 0 || dropRate > 1) {
      throw new IllegalArgumentException("drop rate must be in [0, 1], got " + dropRate);
    }
    this.dropRate = dropRate;
  }

  /** Blocks messages from {@code from} to {@code to} (one way). */
  public synchronized void block(NodeId from, NodeId to) {
    blocked.add(from + "->" + to);
  }

  /** Cuts {@code id} off from every other node, both ways. */
  public synchronized void isolate(NodeId id) {
    for (NodeId other : endpoints.keySet()) {
      if (!other.equals(id)) {
        block(id, other);
        block(other, id);
      }
    }
  }

  /** Splits the nodes into groups that cannot talk to each other. */
  @SafeVarargs
  public final synchronized void partition(Set<NodeId>... groups) {
    for (int i = 0; i < groups.length; i++) {
      for (int j = 0; j < groups.length; j++) {
        if (i != j) {
          for (NodeId a : groups[i]) {
            for (NodeId b : groups[j]) {
              block(a, b);
            }
          }
        }
      }
    }
  }

  /** Removes every partition and block. */
  public synchronized void heal() {
    blocked.clear();
  }

  private synchronized void route(Message message) {
    Endpoint source = endpoints.get(message.from());
    if (blocked.contains(message.from() + "->" + message.to())) {
      return;
    }
    if (dropRate > 0 && random.nextDouble() < dropRate) {
      return;
    }
    Endpoint target = endpoints.get(message.to());
    if (target == null || target.inbox == null || target.closed) {
      if (source != null && source.inbox != null) {
        Transport.Inbox inbox = source.inbox;
        lane.execute(() -> inbox.unreachable(message.to()));
      }
      return;
    }
    scheduler.schedule(latency, lane, () -> target.deliver(message));
  }

  private final class Endpoint implements Transport {
    private final NodeId id;
    private volatile Inbox inbox;
    private volatile boolean closed;

    Endpoint(NodeId id) {
      this.id = id;
    }

    @Override
    public void start(Inbox inbox) {
      if (this.inbox != null || closed) {
        throw new IllegalStateException("transport of " + id + " already started or closed");
      }
      this.inbox = inbox;
    }

    @Override
    public void send(Message message) {
      if (!closed && inbox != null && message.from().equals(id)) {
        route(message);
      }
    }

    void deliver(Message message) {
      Inbox target = inbox;
      if (!closed && target != null) {
        target.receive(message);
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
