package io.jangada.raft.testing;

import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.StateMachine;
import io.jangada.raft.core.RaftConfig;
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
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A cluster of {@link RaftNode}s in one JVM, in virtual time, for your own tests: in-memory storage
 * that loses unsynced writes on {@link #crash}, a {@link VirtualNetwork} with partitions and drops,
 * and a {@link ManualScheduler}, all seeded. Nothing happens until the test moves time with {@link
 * #advance}, {@link #await} or {@link #awaitLeader}.
 *
 * <pre>{@code
 * try (InMemoryCluster cluster = InMemoryCluster.builder().nodes(3).seed(42).build()) {
 *   RaftNode leader = cluster.node(cluster.awaitLeader());
 *   Committed c = cluster.await(leader.propose(Bytes.ofUtf8("x")));
 * }
 * }</pre>
 *
 * <p>Thread: drive it from one test thread; other threads may call the nodes' methods.
 */
public final class InMemoryCluster implements AutoCloseable {

  private final ManualScheduler scheduler = new ManualScheduler();
  private final VirtualNetwork network;
  private final Membership membership;
  private final RaftConfig config;
  private final Duration tickInterval;
  private final Function<NodeId, StateMachine> stateMachines;
  private final Consumer<RaftNode.Builder> customize;
  private final SplittableRandom random;
  private final Map<NodeId, Member> members = new LinkedHashMap<>();

  /** The storage and the running node of one member. */
  private static final class Member {
    final InMemoryLogStorage log = new InMemoryLogStorage();
    final InMemoryStateStorage state = new InMemoryStateStorage();
    final InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
    StateMachine stateMachine;
    RaftNode node;
    boolean joined; // started in join mode (added at run time)
  }

  private InMemoryCluster(Builder builder) {
    this.random = new SplittableRandom(builder.seed);
    this.network = new VirtualNetwork(scheduler, random.split());
    this.network.latency(builder.latency);
    this.membership = Membership.ofVoters(builder.ids);
    this.config = builder.config;
    this.tickInterval = builder.tickInterval;
    this.stateMachines = builder.stateMachines;
    this.customize = builder.customize;
    for (NodeId id : builder.ids) {
      members.put(id, new Member());
    }
    for (NodeId id : builder.ids) {
      start(id);
    }
  }

  /** A builder: 3 nodes n1..n3, seed 0, 10 ms ticks, 1 ms latency. */
  public static Builder builder() {
    return new Builder();
  }

  /** The member ids, in order. */
  public List<NodeId> ids() {
    return List.copyOf(members.keySet());
  }

  /** The running node {@code id}. */
  public RaftNode node(NodeId id) {
    Member member = member(id);
    if (member.node == null) {
      throw new IllegalStateException("node " + id + " is crashed; restart it first");
    }
    return member.node;
  }

  /** Whether {@code id} is running (not crashed). */
  public boolean isRunning(NodeId id) {
    return member(id).node != null;
  }

  /** The running node named {@code id}, e.g. {@code "n1"}. */
  public RaftNode node(String id) {
    return node(NodeId.of(id));
  }

  /** The state machine of the running node {@code id}. */
  public StateMachine stateMachine(NodeId id) {
    return member(id).stateMachine;
  }

  /** The storage of {@code id}, e.g. to inspect its log. */
  public InMemoryLogStorage logStorage(NodeId id) {
    return member(id).log;
  }

  /** The hard-state storage of {@code id}; it survives {@link #crash} like the log. */
  public InMemoryStateStorage stateStorage(NodeId id) {
    return member(id).state;
  }

  /** The snapshot storage of {@code id}; it survives {@link #crash} like the log. */
  public InMemorySnapshotStorage snapshotStorage(NodeId id) {
    return member(id).snapshots;
  }

  /** The virtual clock. */
  public ManualScheduler scheduler() {
    return scheduler;
  }

  /** The network, to partition, heal or drop messages. */
  public VirtualNetwork network() {
    return network;
  }

  /** Moves virtual time forward. */
  public void advance(Duration duration) {
    scheduler.advance(duration);
  }

  /** The running nodes that consider themselves leader, highest term first. */
  public Optional<NodeId> leader() {
    NodeId best = null;
    long bestTerm = -1;
    for (Map.Entry<NodeId, Member> entry : members.entrySet()) {
      RaftNode node = entry.getValue().node;
      if (node != null) {
        RaftStatus status = node.status();
        if (status.role() == Role.LEADER && status.term() > bestTerm) {
          best = entry.getKey();
          bestTerm = status.term();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Advances time until one running node leads and every running node in its partition agrees, for
   * at most {@code within} of virtual time.
   *
   * @throws AssertionError if no leader emerges
   */
  public NodeId awaitLeader(Duration within) {
    awaitCondition(
        () -> {
          Optional<NodeId> leader = leader();
          return leader.isPresent();
        },
        within,
        "no leader elected");
    return leader().orElseThrow();
  }

  /** {@link #awaitLeader(Duration)} within 10 seconds of virtual time. */
  public NodeId awaitLeader() {
    return awaitLeader(Duration.ofSeconds(10));
  }

  /**
   * Advances time until {@code future} completes (at most {@code within}), then returns its value.
   *
   * @throws CompletionException wrapping the future's failure
   * @throws AssertionError if it does not complete in time
   */
  public <T> T await(CompletableFuture<T> future, Duration within) {
    awaitCondition(future::isDone, within, "future did not complete");
    return future.join();
  }

  /** {@link #await(CompletableFuture, Duration)} within 10 seconds of virtual time. */
  public <T> T await(CompletableFuture<T> future) {
    return await(future, Duration.ofSeconds(10));
  }

  /**
   * Advances time in tick-sized steps until {@code condition} holds.
   *
   * @throws AssertionError naming {@code what} if it does not within {@code within}
   */
  public void awaitCondition(BooleanSupplier condition, Duration within, String what) {
    long deadline = scheduler.nanoTime() + within.toNanos();
    scheduler.runUntilIdle();
    while (!condition.getAsBoolean()) {
      if (scheduler.nanoTime() >= deadline) {
        throw new AssertionError(
            what + " within " + within + " of virtual time", new TimeoutException(what));
      }
      scheduler.advance(tickInterval);
    }
  }

  /**
   * Crashes {@code id}: the node stops at once and its log loses every write not yet synced, as
   * after power loss.
   */
  public void crash(NodeId id) {
    Member member = member(id);
    if (member.node == null) {
      return;
    }
    member.node.close(Duration.ZERO); // a crash: no leadership handover
    member.node = null;
    member.log.crash(random);
  }

  /**
   * Starts a new node {@code id} in join mode ({@link RaftNode.Builder#join()}): empty storage, no
   * configuration, waiting for a leader to add it ({@link RaftNode#addLearner}; any non-blank
   * address works on the virtual network, e.g. {@code "mem:n4"}).
   *
   * @throws IllegalArgumentException if {@code id} is a node of this cluster already
   */
  public RaftNode join(NodeId id) {
    if (members.containsKey(id)) {
      throw new IllegalArgumentException("node " + id + " is in this cluster already");
    }
    Member member = new Member();
    member.joined = true;
    members.put(id, member);
    start(id);
    return member.node;
  }

  /** Restarts a crashed node from its durable storage with a fresh state machine. */
  public void restart(NodeId id) {
    Member member = member(id);
    if (member.node != null) {
      throw new IllegalStateException("node " + id + " is running; crash it first");
    }
    start(id);
  }

  private void start(NodeId id) {
    Member member = member(id);
    member.stateMachine = stateMachines.apply(id);
    RaftNode.Builder builder = RaftNode.builder();
    if (member.joined) {
      builder.join();
    } else {
      builder.membership(membership);
    }
    builder
        .id(id)
        .config(config)
        .stateMachine(member.stateMachine)
        .logStorage(member.log)
        .stateStorage(member.state)
        .snapshotStorage(member.snapshots)
        .transport(network.transport(id))
        .tickInterval(tickInterval)
        .scheduler(scheduler)
        .random(random.split())
        .callbackExecutor(Runnable::run);
    customize.accept(builder);
    member.node = builder.build();
    CompletableFuture<Void> started = member.node.start();
    scheduler.runUntilIdle();
    started.join();
  }

  private Member member(NodeId id) {
    Member member = members.get(id);
    if (member == null) {
      throw new IllegalArgumentException("no node " + id + " in this cluster");
    }
    return member;
  }

  /** Stops every node. */
  @Override
  public void close() {
    for (Member member : members.values()) {
      if (member.node != null) {
        member.node.close(Duration.ZERO);
        member.node = null;
      }
    }
    scheduler.shutdown();
  }

  /** Builds an {@link InMemoryCluster}. */
  public static final class Builder {
    private final List<NodeId> ids =
        new ArrayList<>(List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")));
    private long seed;
    private RaftConfig config = RaftConfig.builder().build();
    private Duration tickInterval = Duration.ofMillis(10);
    private Duration latency = Duration.ofMillis(1);
    private Function<NodeId, StateMachine> stateMachines = id -> new RecordingStateMachine();
    private Consumer<RaftNode.Builder> customize = b -> {};

    private Builder() {}

    /** {@code count} nodes named n1..n<i>count</i>. */
    public Builder nodes(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("a cluster needs at least one node, got " + count);
      }
      ids.clear();
      for (int i = 1; i <= count; i++) {
        ids.add(NodeId.of("n" + i));
      }
      return this;
    }

    /** The seed of every random choice (election jitter, drops). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The core configuration of every node. */
    public Builder config(RaftConfig config) {
      this.config = config;
      return this;
    }

    /** The virtual length of a tick. */
    public Builder tickInterval(Duration tickInterval) {
      this.tickInterval = tickInterval;
      return this;
    }

    /** One-way network latency. */
    public Builder latency(Duration latency) {
      this.latency = latency;
      return this;
    }

    /**
     * Creates each node's state machine (again on restart); default {@link RecordingStateMachine}.
     */
    public Builder stateMachines(Function<NodeId, StateMachine> factory) {
      this.stateMachines = factory;
      return this;
    }

    /**
     * Sets further {@link RaftNode.Builder} options on every node (again on each restart), after
     * the cluster's own wiring: snapshot thresholds, listeners, metrics, session limits and so on,
     * with {@code RaftNode}'s defaults otherwise. Repeatable: the calls apply in order. Leave the
     * id, membership, storage, transport, scheduler, random and callback executor to the cluster.
     */
    public Builder customize(Consumer<RaftNode.Builder> customize) {
      Objects.requireNonNull(customize, "customize");
      this.customize = this.customize.andThen(customize);
      return this;
    }

    /** Builds and starts the cluster. */
    public InMemoryCluster build() {
      return new InMemoryCluster(this);
    }
  }
}
