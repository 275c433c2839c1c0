package io.jangada.raft.core;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One simulated node: a {@link RaftCore} over {@link InMemoryLogStorage} and {@link
 * InMemoryStateStorage}, a recording state machine, and a driver that honours the {@link Ready}
 * contract in two phases so a crash can fall between them:
 *
 * <ol>
 *   <li>{@link #beginReady}: take the Ready and append its entries (not yet synced); a leader's
 *       AppendRequests may leave now (thesis §10.2.1).
 *   <li>{@link #finishReady}: save the hard state, sync if {@code mustSync}, send the other
 *       messages, apply the committed entries, advance.
 * </ol>
 *
 * <p>While a Ready is outstanding the node takes no other input, as the single-threaded driver
 * would. A {@link #crash} loses the outstanding Ready and a random prefix of the unsynced writes.
 */
final class SimNode {

  /** Hooks the invariant checkers use; all default to doing nothing. */
  interface Observer {
    /** Entries were just appended to {@code node}'s storage. */
    default void appended(SimNode node, List<LogEntry> entries) {}

    /** {@code node} saved {@code state} durably. */
    default void savedHardState(SimNode node, HardState state) {}

    /** {@code node} finished persisting a Ready: its storage now holds its whole log. */
    default void persisted(SimNode node) {}

    /** {@code node}'s state machine applied {@code entry}. */
    default void applied(SimNode node, LogEntry entry) {}

    /** {@code node} handed out the outcome of a read. */
    default void read(SimNode node, ReadState state) {}
  }

  /** Planted driver bugs, to prove the checkers can fail. */
  enum Bug {
    NONE,
    /** Every message (also a follower's AppendResponse) leaves before the entries are synced. */
    ACK_BEFORE_SYNC,
    /** The state storage forgets the vote on a crash. */
    FORGET_VOTE_ON_CRASH,
    /** The network acknowledges AppendRequests on the follower's behalf (see SimCluster). */
    FORGED_ACK,
    /** Planted in the core through its test seam: see {@link PlantedBug}. */
    COMMIT_PREVIOUS_TERM_BY_COUNTING(PlantedBug.COMMIT_PREVIOUS_TERM_BY_COUNTING),
    READ_INDEX_BEFORE_NOOP_COMMITS(PlantedBug.READ_INDEX_BEFORE_NOOP_COMMITS),
    PREVOTE_CHANGES_TERM(PlantedBug.PREVOTE_CHANGES_TERM),
    ACCEPT_MISMATCHED_PREV_LOG_TERM(PlantedBug.ACCEPT_MISMATCHED_PREV_LOG_TERM);

    final PlantedBug core;

    Bug() {
      this(PlantedBug.NONE);
    }

    Bug(PlantedBug core) {
      this.core = core;
    }
  }

  final NodeId id;
  final InMemoryLogStorage log = new InMemoryLogStorage();
  final InMemoryStateStorage state = new InMemoryStateStorage();
  private final RaftConfig config;
  private final Membership membership;
  private final Observer observer;
  private final Bug bug;

  // The index the state machine starts from after a restart (a compacted start in golden tests).
  private long baseApplied;
  // The recording state machine: every entry applied since the last (re)start, in order.
  final List<LogEntry> applied = new ArrayList<>();
  // The register map with client sessions, rebuilt from the log after every restart.
  final SimKv kv = new SimKv();
  final List<ReadState> reads = new ArrayList<>();

  private RaftCore core; // null while crashed
  private Ready pending; // handed out, entries appended, not yet finished
  int restarts;
  // A paused process (think SIGSTOP or a long GC pause): no ticks, no Ready handling, no input.
  boolean paused;
  long resumeAt;

  SimNode(NodeId id, RaftConfig config, Membership membership, Observer observer, Bug bug) {
    this.id = id;
    this.config = config;
    this.membership = membership;
    this.observer = observer;
    this.bug = bug;
  }

  /** Starts the log after a compacted prefix ending at {@code index}/{@code term}. */
  void compactedStart(long index, long term) {
    log.reset(index, term);
    state.save(new HardState(term, Optional.empty(), index));
    baseApplied = index;
  }

  /** Opens (or reopens) the core from durable state; the state machine replays from scratch. */
  void open(RandomGenerator random) {
    applied.clear();
    kv.reset();
    core = RaftCore.open(id, config, membership, log, state.load(), baseApplied, random, bug.core);
  }

  RaftCore core() {
    return core;
  }

  boolean isUp() {
    return core != null;
  }

  boolean isBusy() {
    return pending != null;
  }

  /** Whether the node can take an input now: up, not paused and no Ready outstanding. */
  boolean acceptsInput() {
    return core != null && pending == null && !paused;
  }

  long appliedIndex() {
    return baseApplied + applied.size();
  }

  /** Phase 1. Returns the messages that may leave before the write is synced. */
  List<Message> beginReady() {
    pending = core.ready();
    if (!pending.entries().isEmpty()) {
      log.append(pending.entries());
      observer.appended(this, pending.entries());
    }
    List<Message> early = new ArrayList<>();
    for (Message m : pending.messages()) {
      if (bug == Bug.ACK_BEFORE_SYNC || m instanceof AppendRequest) {
        early.add(m);
      }
    }
    return early;
  }

  /** Phase 2. Returns the messages held back until the write was durable. */
  List<Message> finishReady() {
    Ready r = pending;
    pending = null;
    if (r.hardState().isPresent()) {
      state.save(r.hardState().get());
      observer.savedHardState(this, r.hardState().get());
    }
    if (r.mustSync()) {
      log.sync();
    }
    observer.persisted(this);
    List<Message> late = new ArrayList<>();
    for (Message m : r.messages()) {
      if (!(bug == Bug.ACK_BEFORE_SYNC || m instanceof AppendRequest)) {
        late.add(m);
      }
    }
    for (LogEntry e : r.committed()) {
      applied.add(e);
      kv.apply(e);
      observer.applied(this, e);
    }
    for (ReadState read : r.readStates()) {
      reads.add(read);
      observer.read(this, read);
    }
    core.advance(r);
    return late;
  }

  /** Both phases at once; returns every message in the Ready's order. */
  List<Message> handleReady() {
    beginReady();
    Ready r = pending;
    finishReady();
    return r.messages();
  }

  /** Power loss: the core and the outstanding Ready vanish, unsynced writes partly survive. */
  void crash(RandomGenerator random) {
    core = null;
    pending = null;
    paused = false;
    log.crash(random);
    if (bug == Bug.FORGET_VOTE_ON_CRASH) {
      HardState hs = state.load();
      state.save(new HardState(hs.term(), Optional.empty(), hs.commit()));
    }
    restarts++;
  }
}
