package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A tiny deterministic harness for paper tests: several {@link RaftCore}s over {@link
 * InMemoryLogStorage}, a driver loop that honours the Ready contract, and manual message delivery.
 */
final class Net {

  /** Elections without PreVote/CheckQuorum, so the paper's basic rules can be tested alone. */
  static final RaftConfig PLAIN =
      RaftConfig.builder()
          .electionTicks(10)
          .heartbeatTicks(1)
          .preVote(false)
          .checkQuorum(false)
          .build();

  /** One node: its storage, the driver's view of its hard state, and what it applied. */
  static final class Node {
    final NodeId id;
    InMemoryLogStorage log = new InMemoryLogStorage();
    HardState hardState = HardState.INITIAL;
    long appliedIndex;
    RaftCore core;
    final List<LogEntry> applied = new ArrayList<>();
    final List<ReadState> reads = new ArrayList<>();
    final List<Ready> readies = new ArrayList<>();
    // The configuration given at open: the network's, or the empty one of a joining node.
    Membership initial;

    Node(NodeId id) {
      this.id = id;
    }
  }

  final RaftConfig config;
  final Membership membership;
  final TreeMap<String, Node> nodes = new TreeMap<>();
  private final Set<String> cut = new HashSet<>();
  private long seed;

  Net(RaftConfig config, String... voters) {
    this(config, membershipOf(voters), voters);
  }

  Net(RaftConfig config, Membership membership, String... ids) {
    this.config = config;
    this.membership = membership;
    for (String id : ids) {
      Node n = new Node(NodeId.of(id));
      nodes.put(id, n);
      open(n);
    }
  }

  static Membership membershipOf(String... voters) {
    List<NodeId> ids = new ArrayList<>();
    for (String v : voters) {
      ids.add(NodeId.of(v));
    }
    return Membership.ofVoters(ids);
  }

  private void open(Node n) {
    n.core =
        RaftCore.open(
            n.id,
            config,
            n.initial == null ? membership : n.initial,
            n.log,
            n.hardState,
            n.appliedIndex,
            new SplittableRandom(++seed));
  }

  /** Adds a node with an empty log and no configuration, as a joining node starts. */
  void addJoining(String id) {
    Node n = new Node(NodeId.of(id));
    n.initial = Membership.empty();
    nodes.put(id, n);
    open(n);
  }

  Node node(String id) {
    return nodes.get(id);
  }

  RaftCore core(String id) {
    return nodes.get(id).core;
  }

  /** Replaces a node's durable state (log entries from index 1, and hard state) and reopens it. */
  void preload(String id, long term, long... entryTerms) {
    Node n = node(id);
    n.log = new InMemoryLogStorage();
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < entryTerms.length; i++) {
      entries.add(LogEntry.command(i + 1, entryTerms[i], Bytes.ofUtf8("e" + (i + 1))));
    }
    n.log.append(entries);
    n.log.sync();
    n.hardState = new HardState(term, java.util.Optional.empty(), 0);
    n.appliedIndex = 0;
    n.applied.clear();
    open(n);
  }

  /**
   * Like {@link #preload} but compacts the log up to {@code compactedTo} (as after a snapshot),
   * with commit and applied index at the snapshot.
   */
  void preloadCompacted(String id, long term, long compactedTo, long... entryTerms) {
    preload(id, term, entryTerms);
    Node n = node(id);
    n.log.compactUpTo(compactedTo);
    n.log.sync();
    n.hardState = new HardState(term, java.util.Optional.empty(), compactedTo);
    n.appliedIndex = compactedTo;
    open(n);
  }

  /** Reopens a node from what its storage holds durably (a crash-restart). */
  void restart(String id) {
    Node n = node(id);
    n.log.crash();
    open(n);
  }

  /** Runs the node's Ready loop until it has nothing ready; returns the messages it sent. */
  List<Message> flush(String id) {
    Node n = node(id);
    List<Message> out = new ArrayList<>();
    while (n.core.hasReady()) {
      out.addAll(handle(id, n.core.ready()));
    }
    return out;
  }

  /** Handles one Ready as a driver must (persist, then send, apply, advance); returns messages. */
  List<Message> handle(String id, Ready r) {
    Node n = node(id);
    n.readies.add(r);
    r.hardState().ifPresent(h -> n.hardState = h);
    if (r.snapshot().isPresent()) {
      n.log.reset(r.snapshot().get().index(), r.snapshot().get().term());
      n.appliedIndex = r.snapshot().get().index();
    }
    n.log.append(r.entries());
    if (r.mustSync()) {
      n.log.sync();
    }
    n.applied.addAll(r.committed());
    if (!r.committed().isEmpty()) {
      n.appliedIndex = r.committed().get(r.committed().size() - 1).index();
    }
    n.reads.addAll(r.readStates());
    n.core.advance(r);
    n.core.assertInvariants();
    return r.messages();
  }

  /** The messages the node sends next, as {@link Describe} text. */
  List<String> sent(String id) {
    return flush(id).stream().map(Describe::message).toList();
  }

  /** Steps each message into its addressee unless the link is cut. */
  void deliver(List<Message> messages) {
    for (Message m : messages) {
      if (isCut(m.from().value(), m.to().value()) || !nodes.containsKey(m.to().value())) {
        continue;
      }
      Node to = node(m.to().value());
      to.core.step(m);
      to.core.assertInvariants();
    }
  }

  /** Flushes every node and delivers everything until no message is left. */
  void stabilize() {
    for (int round = 0; round < 10_000; round++) {
      List<Message> all = new ArrayList<>();
      for (String id : nodes.keySet()) {
        all.addAll(flush(id));
      }
      if (all.isEmpty()) {
        return;
      }
      deliver(all);
    }
    throw new AssertionError("network did not become quiet");
  }

  /** Makes {@code id} campaign and runs the election to the end; asserts it won. */
  void elect(String id) {
    core(id).campaign();
    stabilize();
    assertThat(core(id).status().role()).isEqualTo(Role.LEADER);
  }

  /** Ticks every node {@code n} times, stabilizing after each tick. */
  void tickAll(int n) {
    for (int i = 0; i < n; i++) {
      for (Node node : nodes.values()) {
        node.core.tick();
      }
      stabilize();
    }
  }

  void tick(String id, int n) {
    for (int i = 0; i < n; i++) {
      core(id).tick();
    }
  }

  /** Cuts every link to and from {@code id}. */
  void isolate(String id) {
    cut.add(id);
  }

  void heal() {
    cut.clear();
  }

  private boolean isCut(String from, String to) {
    return cut.contains(from) || cut.contains(to);
  }

  /** Proposes on {@code id}, which must be leader, and returns the index. */
  long propose(String id, String command) {
    ProposeResult r = core(id).propose(Bytes.ofUtf8(command));
    assertThat(r).isInstanceOf(ProposeResult.Accepted.class);
    return ((ProposeResult.Accepted) r).index();
  }

  /** The node's log as {@link Describe} text. */
  List<String> log(String id) {
    InMemoryLogStorage log = node(id).log;
    if (log.lastIndex() < log.firstIndex()) {
      return List.of();
    }
    return log.entries(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE).stream()
        .map(Describe::entry)
        .toList();
  }

  List<String> applied(String id) {
    return node(id).applied.stream().map(Describe::entry).toList();
  }
}
