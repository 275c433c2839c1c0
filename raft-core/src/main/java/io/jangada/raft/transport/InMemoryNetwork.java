package io.jangada.raft.transport;

import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process network for tests and single-JVM clusters: one {@link Transport} per {@link
 * NodeId}, asynchronous delivery and run-time fault injection (drop, delay with jitter,
 * duplication, reordering, partitions, one-way blocks, isolation and a message filter).
 *
 * <p>Delivery: {@link Transport#send} never delivers inline; every message (and every {@link
 * Transport.Inbox#unreachable} report) is handed to the inbox on the network's single delivery
 * thread, so a sender's event loop is never re-entered. Messages between one pair of nodes arrive
 * in the order sent unless reordering is enabled (duplicates follow their original).
 *
 * <p>Determinism: every random decision (drop, jitter, duplicate, reorder) is drawn from one {@link
 * SplittableRandom} seeded at construction, under the network's lock, in the order {@code send} is
 * called. Given the same seed and the same order of calls, the same messages are dropped,
 * duplicated and delayed. Delays are real time (a scheduled executor): this network is for tests of
 * the threaded driver, not of the pure core.
 *
 * <p>Identity: a node has at most one open transport at a time. {@link #disconnect} closes it (a
 * crash); {@link #transport} then returns a new instance for the same id (a restart). A closed
 * transport receives nothing, and messages sent from it are dropped. A message to a node without an
 * open transport is dropped and its sender is told {@link Transport.Inbox#unreachable}. A message
 * whose {@code from} is not the sending transport's id is dropped (logged).
 *
 * <p>Thread-safety: every method may be called from any thread; fault settings take effect for
 * messages sent afterwards. {@link #close} stops the delivery thread; later sends are dropped.
 */
public final class InMemoryNetwork implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InMemoryNetwork.class);

  private final SplittableRandom random;
  private final ScheduledExecutorService delivery;
  private final Map<NodeId, Endpoint> endpoints = new HashMap<>();
  private final Map<Pair, PairQueue> pairQueues = new HashMap<>();
  private final Map<NodeId, Integer> partitionGroup = new HashMap<>();
  private final Set<Pair> blocked = new HashSet<>();
  private final Set<NodeId> isolated = new HashSet<>();
  private double dropRate;
  private double duplicateRate;
  private double reorderRate;
  private long fixedDelayNanos;
  private long jitterNanos;
  private Predicate<Message> filter = m -> true;
  private long sent;
  private long dropped;
  private long delivered;
  private boolean closed;

  /** A network with a fixed seed of 0: deterministic by default. */
  public InMemoryNetwork() {
    this(0L);
  }

  /** A network whose random decisions are drawn from {@code new SplittableRandom(seed)}. */
  public InMemoryNetwork(long seed) {
    this.random = new SplittableRandom(seed);
    this.delivery =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "jangada-inmemory-network-" + seed);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A new, not yet started transport for {@code id}, connected to this network.
   *
   * @throws IllegalStateException if {@code id} already has an open transport (call {@link
   *     #disconnect} or close it first), or the network is closed
   */
  public synchronized Transport transport(NodeId id) {
    Objects.requireNonNull(id, "id");
    if (closed) {
      throw new IllegalStateException("network is closed");
    }
    Endpoint current = endpoints.get(id);
    if (current != null && !current.closed) {
      throw new IllegalStateException("node " + id + " already has an open transport");
    }
    Endpoint endpoint = new Endpoint(id);
    endpoints.put(id, endpoint);
    return endpoint;
  }

  /**
   * Crashes {@code id}: closes its current transport, if any. In-flight messages to it are lost.
   */
  public void disconnect(NodeId id) {
    Endpoint endpoint;
    synchronized (this) {
      endpoint = endpoints.get(id);
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  /** Drops each message independently with probability {@code rate} (0 to 1). */
  public synchronized void setDropRate(double rate) {
    this.dropRate = checkRate(rate);
  }

  /** Delivers each message twice with probability {@code rate} (0 to 1). */
  public synchronized void setDuplicateRate(double rate) {
    this.duplicateRate = checkRate(rate);
  }

  /**
   * With probability {@code rate}, a message leaves its pair's FIFO order and is delayed by an
   * extra random amount up to the jitter (at least 1 ms), so it may overtake or be overtaken.
   */
  public synchronized void setReorderRate(double rate) {
    this.reorderRate = checkRate(rate);
  }

  /**
   * Delays every message by {@code fixed} plus a uniformly random amount in [0, {@code jitter}].
   */
  public synchronized void setDelay(Duration fixed, Duration jitter) {
    if (fixed.isNegative() || jitter.isNegative()) {
      throw new IllegalArgumentException("delays must be >= 0: " + fixed + ", " + jitter);
    }
    this.fixedDelayNanos = fixed.toNanos();
    this.jitterNanos = jitter.toNanos();
  }

  /** Only messages accepted by {@code filter} are delivered; the others are silently dropped. */
  public synchronized void setFilter(Predicate<Message> filter) {
    this.filter = Objects.requireNonNull(filter, "filter");
  }

  /**
   * Splits the network: nodes in different groups cannot exchange messages. Nodes named in no group
   * form one more group together. Replaces any earlier partition.
   */
  @SafeVarargs
  public final synchronized void partition(Set<NodeId>... groups) {
    partitionGroup.clear();
    for (int g = 0; g < groups.length; g++) {
      for (NodeId id : groups[g]) {
        if (partitionGroup.put(id, g + 1) != null) {
          throw new IllegalArgumentException("node " + id + " is in two partition groups");
        }
      }
    }
  }

  /** Drops every message from {@code from} to {@code to} (one way) until {@link #heal}. */
  public synchronized void block(NodeId from, NodeId to) {
    blocked.add(new Pair(from, to));
  }

  /** Cuts every link to and from {@code id} until {@link #heal}. */
  public synchronized void isolate(NodeId id) {
    isolated.add(Objects.requireNonNull(id, "id"));
  }

  /** Removes partitions, blocks and isolations (other fault settings stay). */
  public synchronized void heal() {
    partitionGroup.clear();
    blocked.clear();
    isolated.clear();
  }

  /** Messages accepted by {@code send} on an open transport so far. */
  public synchronized long sentCount() {
    return sent;
  }

  /** Messages dropped so far (faults, closed or unknown destinations). */
  public synchronized long droppedCount() {
    return dropped;
  }

  /** Messages handed to an inbox so far (duplicates counted twice). */
  public synchronized long deliveredCount() {
    return delivered;
  }

  /** Closes every transport and stops the delivery thread. Idempotent. */
  @Override
  public void close() {
    List<Endpoint> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = List.copyOf(endpoints.values());
    }
    all.forEach(Endpoint::close);
    delivery.shutdownNow();
  }

  private static double checkRate(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("rate must be in [0, 1], got " + rate);
    }
    return rate;
  }

  /** Decides the fate of one message; called by {@link Endpoint#send}. */
  private void route(Endpoint source, Message message) {
    synchronized (this) {
      if (closed || source.closed || source.inbox == null) {
        return;
      }
      if (!message.from().equals(source.id)) {
        log.warn("dropping message from {} sent by transport of {}", message.from(), source.id);
        dropped++;
        return;
      }
      sent++;
      Endpoint target = endpoints.get(message.to());
      if (target == null || target.closed) {
        dropped++;
        Transport.Inbox inbox = source.inbox;
        schedule(0, () -> source.reportUnreachable(inbox, message.to()));
        return;
      }
      if (!linked(source.id, target.id) || !filter.test(message) || chance(dropRate)) {
        dropped++;
        return;
      }
      int copies = chance(duplicateRate) ? 2 : 1;
      for (int i = 0; i < copies; i++) {
        long delay = fixedDelayNanos + (jitterNanos > 0 ? random.nextLong(jitterNanos + 1) : 0);
        if (chance(reorderRate)) {
          long extra = Math.max(jitterNanos, TimeUnit.MILLISECONDS.toNanos(1));
          schedule(delay + random.nextLong(extra + 1), () -> deliver(target, message));
        } else {
          Pair pair = new Pair(source.id, target.id);
          PairQueue queue = pairQueues.computeIfAbsent(pair, p -> new PairQueue());
          long deadline = Math.max(System.nanoTime() + delay, queue.lastDeadline);
          queue.lastDeadline = deadline;
          queue.pending.add(new Delivery(target, message));
          schedule(deadline - System.nanoTime(), () -> deliverHead(queue));
        }
      }
    }
  }

  private boolean linked(NodeId from, NodeId to) {
    if (isolated.contains(from) || isolated.contains(to) || blocked.contains(new Pair(from, to))) {
      return false;
    }
    return Objects.equals(partitionGroup.get(from), partitionGroup.get(to));
  }

  private boolean chance(double probability) {
    return probability > 0 && random.nextDouble() < probability;
  }

  private void schedule(long delayNanos, Runnable task) {
    try {
      delivery.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      dropped++; // the network is closing
    }
  }

  private void deliverHead(PairQueue queue) {
    Delivery head;
    synchronized (this) {
      head = queue.pending.poll();
    }
    if (head != null) {
      deliver(head.target, head.message);
    }
  }

  /** Runs on the delivery thread. */
  private void deliver(Endpoint target, Message message) {
    Transport.Inbox inbox;
    synchronized (this) {
      inbox = target.inbox;
      if (target.closed || inbox == null) {
        dropped++;
        return;
      }
      delivered++;
    }
    try {
      inbox.receive(message);
    } catch (RuntimeException e) {
      log.error("inbox of {} threw on receive; message dropped", target.id, e);
    }
  }

  private record Pair(NodeId from, NodeId to) {}

  private record Delivery(Endpoint target, Message message) {}

  /** Messages of one pair in FIFO order; guarded by the network's lock. */
  private static final class PairQueue {
    final ArrayDeque<Delivery> pending = new ArrayDeque<>();
    long lastDeadline = Long.MIN_VALUE;
  }

  /** One node's transport. Its mutable fields are guarded by the network's lock. */
  private final class Endpoint implements Transport {
    final NodeId id;
    Transport.Inbox inbox;
    boolean closed;

    Endpoint(NodeId id) {
      this.id = id;
    }

    @Override
    public void start(Inbox inbox) {
      Objects.requireNonNull(inbox, "inbox");
      synchronized (InMemoryNetwork.this) {
        if (closed) {
          throw new IllegalStateException("transport of " + id + " is closed");
        }
        if (this.inbox != null) {
          throw new IllegalStateException("transport of " + id + " is already started");
        }
        this.inbox = inbox;
      }
    }

    @Override
    public void send(Message message) {
      Objects.requireNonNull(message, "message");
      route(this, message);
    }

    void reportUnreachable(Inbox to, NodeId peer) {
      synchronized (InMemoryNetwork.this) {
        if (closed) {
          return;
        }
      }
      try {
        to.unreachable(peer);
      } catch (RuntimeException e) {
        log.error("inbox of {} threw on unreachable({})", id, peer, e);
      }
    }

    @Override
    public void close() {
      synchronized (InMemoryNetwork.this) {
        closed = true;
      }
    }

    @Override
    public String toString() {
      return "InMemoryTransport[" + id + (closed ? ", closed]" : "]");
    }
  }
}
