package io.jangada.raft.examples.kv.demo;

import io.jangada.raft.Committed;
import io.jangada.raft.CommittedMembership;
import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.Role;
import io.jangada.raft.StateMachine;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvCommand;
import io.jangada.raft.examples.kv.KvQuery;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.examples.kv.KvStateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.testing.ManualScheduler;
import io.jangada.raft.testing.VirtualNetwork;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/**
 * A cluster of real {@link RaftNode}s running {@link KvStateMachine}, wired on one thread in
 * virtual time: in-memory storage, a {@link VirtualNetwork} and a {@link ManualScheduler}, all
 * seeded, so one seed always gives the same run. Every message, role change, commit, apply and
 * snapshot lands in a {@link Trace}: each node's transport is wrapped by a tap that records what is
 * sent, dropped and delivered, and the cut links of a partition are enforced by the tap so that the
 * drops are seen too.
 *
 * <p>Thread: drive it from one thread. Nothing happens unless that thread moves time ({@link #run},
 * {@link #await}, {@link #awaitLeader}).
 */
final class DemoCluster implements AutoCloseable {

  /** The virtual length of one tick. */
  static final Duration TICK = Duration.ofMillis(10);

  /** One-way network delay. */
  static final Duration LATENCY = Duration.ofMillis(2);

  /** The consensus settings of every node: election timeout 10-20 ticks, heartbeat every 3. */
  static final RaftConfig CONFIG = RaftConfig.builder().electionTicks(10).heartbeatTicks(3).build();

  /** How long the await methods wait for something before the scenario is declared broken. */
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private final ManualScheduler scheduler = new ManualScheduler();
  private final SplittableRandom random;
  private final VirtualNetwork network;
  private final Membership membership;
  private final long snapshotThreshold;
  private final Trace trace = new Trace();
  private final Map<NodeId, Member> members = new TreeMap<>();
  private final Set<List<NodeId>> cut = new HashSet<>();
  private final Set<String> keys = new TreeSet<>();
  private final Map<String, String> acknowledged = new LinkedHashMap<>();
  private final Map<Message, Long> inFlight = new IdentityHashMap<>();
  private long nextMessageId = 1;
  private long nextProposalId = 1;

  /** The storage, state machine and running node of one member. */
  private static final class Member {
    final InMemoryLogStorage log = new InMemoryLogStorage();
    final InMemoryStateStorage state = new InMemoryStateStorage();
    final InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
    boolean joined; // started in join mode (added at run time)
    boolean removed; // taken out of the configuration and stopped
    RaftNode node;
  }

  /**
   * @param nodes how many nodes, named n1..nN
   * @param seed the seed of every random choice (election timeouts)
   * @param snapshotThreshold take a snapshot every this many applied entries (0: never)
   */
  DemoCluster(int nodes, long seed, long snapshotThreshold) {
    this.random = new SplittableRandom(seed);
    this.network = new VirtualNetwork(scheduler, random.split());
    this.network.latency(LATENCY);
    this.snapshotThreshold = snapshotThreshold;
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      ids.add(NodeId.of("n" + i));
    }
    this.membership = Membership.ofVoters(ids);
    for (NodeId id : ids) {
      members.put(id, new Member());
    }
    for (NodeId id : ids) {
      start(id);
    }
  }

  /** The ids of the current members (not those removed), in order. */
  List<NodeId> ids() {
    return members.entrySet().stream()
        .filter(e -> !e.getValue().removed)
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Every node that ever ran, removed ones included, in order: the timeline's lanes. */
  List<NodeId> everyNode() {
    return List.copyOf(members.keySet());
  }

  /** Everything that happened so far. */
  Trace trace() {
    return trace;
  }

  /** Virtual time since the start, in nanoseconds. */
  long nanos() {
    return scheduler.nanoTime();
  }

  /** Adds a line of the scenario's story to the trace. */
  void note(String text) {
    trace.add(new Event.Note(nanos(), text));
  }

  /** Moves virtual time forward by {@code duration}, running everything that falls due. */
  void run(Duration duration) {
    scheduler.advance(duration);
  }

  /** Moves time tick by tick until {@code condition} holds. */
  void awaitCondition(BooleanSupplier condition, String what) {
    long deadline = nanos() + PATIENCE.toNanos();
    scheduler.runUntilIdle();
    while (!condition.getAsBoolean()) {
      if (nanos() >= deadline) {
        throw new IllegalStateException("the demo got stuck: " + what + " within " + PATIENCE);
      }
      scheduler.advance(TICK);
    }
  }

  /** Moves time until {@code future} completes, then returns it (completed, maybe failed). */
  <T> CompletableFuture<T> await(CompletableFuture<T> future) {
    awaitCondition(future::isDone, "an answer");
    return future;
  }

  /** The running node that leads in the highest term, if any. */
  Optional<NodeId> leader() {
    NodeId best = null;
    long bestTerm = -1;
    for (NodeId id : members.keySet()) {
      if (isUp(id)) {
        RaftStatus status = status(id);
        if (status.role() == Role.LEADER && status.term() > bestTerm) {
          best = id;
          bestTerm = status.term();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** Moves time until some running node other than {@code except} leads, and returns it. */
  NodeId awaitLeader(Set<NodeId> except) {
    awaitCondition(
        () -> leader().filter(l -> !except.contains(l)).isPresent(), "a leader is elected");
    return leader().orElseThrow();
  }

  /** Moves time until a leader is elected, and returns it. */
  NodeId awaitLeader() {
    return awaitLeader(Set.of());
  }

  /** The status of the running node {@code id}. */
  RaftStatus status(NodeId id) {
    return node(id).status();
  }

  /** Whether {@code id} runs (has not crashed, or was restarted; was not removed). */
  boolean isUp(NodeId id) {
    Member member = members.get(id);
    return member != null && member.node != null;
  }

  /**
   * A client asks {@code via} to put {@code key}={@code value}. The future completes with the state
   * machine's answer once the write is committed and applied on {@code via}; writes that succeed
   * are remembered as acknowledged.
   */
  CompletableFuture<Committed> put(NodeId via, String key, String value) {
    keys.add(key);
    long id = nextProposalId++;
    Bytes command = KvCodec.encode(new KvCommand.Put(Bytes.ofUtf8(key), Bytes.ofUtf8(value)));
    trace.add(new Event.Proposed(nanos(), id, via, MessageText.command(command)));
    CompletableFuture<Committed> future = node(via).propose(command);
    future.whenComplete(
        (committed, error) -> {
          if (error == null) {
            acknowledged.put(key, value);
            trace.add(
                new Event.Answered(
                    nanos(),
                    id,
                    via,
                    true,
                    MessageText.result(committed.result()),
                    committed.index(),
                    committed.term()));
          } else {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            trace.add(
                new Event.Answered(
                    nanos(), id, via, false, cause.getClass().getSimpleName(), 0, 0));
          }
        });
    return future;
  }

  /** Asks leader {@code from} to hand leadership to {@code to}. */
  CompletableFuture<Void> transferLeadership(NodeId from, NodeId to) {
    return node(from).transferLeadership(to);
  }

  /**
   * Starts a new, empty node {@code id} in join mode ({@link RaftNode.Builder#join()}): no
   * configuration, it waits for a leader to add it.
   */
  void join(NodeId id) {
    if (members.containsKey(id)) {
      throw new IllegalArgumentException(id + " is in the cluster already");
    }
    Member member = new Member();
    member.joined = true;
    members.put(id, member);
    start(id);
  }

  /** Asks leader {@code via} to add {@code id} as a learner (any address works on this network). */
  CompletableFuture<CommittedMembership> addLearner(NodeId via, NodeId id) {
    return node(via).addLearner(id, "mem:" + id);
  }

  /** Asks leader {@code via} to make the learner {@code id} a voter. */
  CompletableFuture<CommittedMembership> promote(NodeId via, NodeId id) {
    return node(via).promote(id);
  }

  /** Asks leader {@code via} to remove the member {@code id} (possibly itself). */
  CompletableFuture<CommittedMembership> removeMember(NodeId via, NodeId id) {
    return node(via).removeMember(id);
  }

  /** Stops {@code id}, removed from the configuration: it is no longer a member of the demo. */
  void stopRemoved(NodeId id) {
    Member member = members.get(id);
    member.node.close(Duration.ZERO);
    member.node = null;
    member.removed = true;
  }

  /** Moves time until {@code id}'s state machine has applied at least {@code index}. */
  void awaitApplied(NodeId id, long index) {
    awaitCondition(() -> status(id).appliedIndex() >= index, id + " applies up to " + index);
  }

  /** The keys and values of every write a client saw succeed (the latest value per key). */
  Map<String, String> acknowledged() {
    return Map.copyOf(acknowledged);
  }

  /**
   * Reads every key any client wrote from {@code id}'s own state machine (a stale read: no leader
   * involved), in key order; absent keys are left out.
   */
  Map<String, String> contents(NodeId id) {
    Map<String, String> contents = new TreeMap<>();
    for (String key : keys) {
      Bytes query = KvCodec.encode(new KvQuery.Get(Bytes.ofUtf8(key)));
      Bytes answer = await(node(id).query(query, ReadConsistency.STALE)).join();
      if (KvCodec.decodeResult(answer) instanceof KvResult.Value value) {
        contents.put(key, value.value().toUtf8());
      }
    }
    return contents;
  }

  /**
   * Moves time until the leader has committed its whole log and every running node has applied all
   * of it.
   */
  void awaitConverged() {
    awaitCondition(
        () -> {
          Optional<NodeId> leader = leader();
          if (leader.isEmpty()) {
            return false;
          }
          RaftStatus leading = status(leader.get());
          long commit = leading.commitIndex();
          if (commit != leading.lastIndex()) {
            return false;
          }
          for (NodeId id : members.keySet()) {
            if (isUp(id) && status(id).appliedIndex() != commit) {
              return false;
            }
          }
          return true;
        },
        "every node applies what the leader committed");
  }

  /** The network drops every message from {@code from} to {@code to} until {@link #heal}. */
  void cut(NodeId from, NodeId to) {
    if (cut.add(List.of(from, to))) {
      trace.add(new Event.LinkCut(nanos(), from, to));
    }
  }

  /** {@code id} stops receiving anything (it can still send). */
  void cutIncoming(NodeId id) {
    for (NodeId other : members.keySet()) {
      if (!other.equals(id)) {
        cut(other, id);
      }
    }
  }

  /** Cuts every link between the two groups, both ways. */
  void partition(Set<NodeId> a, Set<NodeId> b) {
    for (NodeId x : new TreeSet<>(a)) {
      for (NodeId y : new TreeSet<>(b)) {
        cut(x, y);
        cut(y, x);
      }
    }
  }

  /** Every link works again. */
  void heal() {
    cut.clear();
    trace.add(new Event.Healed(nanos()));
  }

  /** Stops {@code id} at once; its log loses what was not yet synced. */
  void crash(NodeId id) {
    Member member = members.get(id);
    member.node.close(Duration.ZERO); // a crash: no leadership handover
    member.node = null;
    member.log.crash(random);
    trace.add(new Event.Crashed(nanos(), id));
  }

  /** Restarts the crashed {@code id} from its durable storage, with a fresh state machine. */
  void restart(NodeId id) {
    trace.add(new Event.Restarted(nanos(), id));
    start(id);
  }

  private RaftNode node(NodeId id) {
    RaftNode node = members.get(id).node;
    if (node == null) {
      throw new IllegalStateException(id + " is down");
    }
    return node;
  }

  private void start(NodeId id) {
    Member member = members.get(id);
    RaftNode.Builder builder = RaftNode.builder();
    if (member.joined) {
      builder.join();
    } else {
      builder.membership(membership);
    }
    member.node =
        builder
            .id(id)
            .config(CONFIG)
            .stateMachine(new ObservedStateMachine(id, new KvStateMachine()))
            .logStorage(member.log)
            .stateStorage(member.state)
            .snapshotStorage(member.snapshots)
            .transport(new Tap(network.transport(id)))
            .tickInterval(TICK)
            .scheduler(scheduler)
            .random(random.split())
            .callbackExecutor(Runnable::run)
            .snapshotThreshold(snapshotThreshold)
            .snapshotThresholdBytes(0)
            .snapshotTrailingEntries(0)
            .listener(new Listener())
            .build();
    CompletableFuture<Void> started = member.node.start();
    scheduler.runUntilIdle();
    started.join();
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

  /** Records role changes, commits and snapshots of every node. */
  private final class Listener implements RaftListener {
    @Override
    public void onRoleChange(NodeId self, Role role, long term) {
      trace.add(new Event.RoleChanged(nanos(), self, role, term));
    }

    @Override
    public void onCommit(NodeId self, long commitIndex) {
      trace.add(new Event.Committed(nanos(), self, commitIndex));
    }

    @Override
    public void onSnapshot(NodeId self, SnapshotMeta meta) {
      trace.add(new Event.SnapshotTaken(nanos(), self, meta.index(), meta.term()));
    }
  }

  /** The real state machine, with every apply and restore recorded. */
  private final class ObservedStateMachine implements StateMachine {
    private final NodeId id;
    private final KvStateMachine delegate;

    ObservedStateMachine(NodeId id, KvStateMachine delegate) {
      this.id = id;
      this.delegate = delegate;
    }

    @Override
    public Bytes apply(long index, Bytes command) {
      Bytes result = delegate.apply(index, command);
      trace.add(
          new Event.Applied(
              nanos(), id, index, MessageText.command(command), MessageText.result(result)));
      return result;
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
      trace.add(new Event.SnapshotRestored(nanos(), id, meta.index(), meta.term()));
    }
  }

  /**
   * A node's transport seen through a tap: records each message sent (dropping those on a cut link
   * or to a crashed node) and each message delivered.
   */
  private final class Tap implements Transport {
    private final Transport inner;

    Tap(Transport inner) {
      this.inner = inner;
    }

    @Override
    public void start(Inbox inbox) throws IOException {
      inner.start(
          new Inbox() {
            @Override
            public void receive(Message message) {
              Long id = inFlight.remove(message);
              trace.add(new Event.Delivered(nanos(), id == null ? 0 : id, message));
              inbox.receive(message);
            }

            @Override
            public void unreachable(NodeId peer) {
              inbox.unreachable(peer);
            }
          });
    }

    @Override
    public void send(Message message) {
      long id = nextMessageId++;
      Optional<String> drop = Optional.empty();
      if (cut.contains(List.of(message.from(), message.to()))) {
        drop = Optional.of("link cut");
      } else if (!isUp(message.to())) {
        drop = Optional.of(message.to() + " is down");
      }
      trace.add(new Event.Sent(nanos(), id, message, drop));
      if (drop.isEmpty()) {
        inFlight.put(message, id);
        inner.send(message);
      }
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
