package io.jangada.raft.core;

import io.jangada.raft.SessionLimits;
import io.jangada.raft.internal.SessionEntry;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
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

    /**
     * {@code node}'s state machine was restored from a snapshot holding {@code entries} (every
     * entry up to the snapshot index), known committed while its term was {@code term}.
     */
    default void restored(SimNode node, List<LogEntry> entries, long term) {}
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
    /** A leader commits an earlier term's entry once a quorum holds it (breaks §5.4.2). */
    COMMIT_PREVIOUS_TERM_BY_COUNTING(
        new SafetyRules() {
          @Override
          public boolean commitsByCounting(long entryTerm, long leaderTerm) {
            return true;
          }
        }),
    /** A new leader answers ReadIndex before its no-op committed (breaks thesis §6.4 step 1). */
    READ_INDEX_BEFORE_NOOP_COMMITS(
        new SafetyRules() {
          @Override
          public boolean readIndexWaitsForCurrentTermCommit() {
            return false;
          }
        }),
    /** A node that receives a pre-vote request adopts its (not campaigned) term. */
    PREVOTE_CHANGES_TERM(
        new SafetyRules() {
          @Override
          public boolean preVoteKeepsTerm() {
            return false;
          }
        }),
    /** Snapshots leave out the client-session table (the library would forget deduplication). */
    FORGET_SESSIONS_IN_SNAPSHOT,
    /** A follower appends after prevLogIndex without checking prevLogTerm (breaks Fig. 2). */
    ACCEPT_MISMATCHED_PREV_LOG_TERM(
        new SafetyRules() {
          @Override
          public boolean logMatches(RaftLog log, long prevIndex, long prevTerm) {
            return prevIndex <= log.lastIndex();
          }
        }),
    /** A leader accepts a configuration change while another is uncommitted (breaks §4.1). */
    TWO_UNCOMMITTED_CHANGES(
        new SafetyRules() {
          @Override
          public boolean changeInProgress(Membership inForce, long index, long commitIndex) {
            return inForce.isJoint();
          }
        }),
    /** During a joint change only the new voters are counted (breaks thesis §4.3). */
    JOINT_COUNTS_NEW_CONFIGURATION_ONLY(
        new SafetyRules() {
          @Override
          public Quorum quorum(Membership membership, NodeId self) {
            return Quorum.simple(membership.voters());
          }
        }),
    /** A configuration takes effect only once committed, not when appended (breaks §4.1). */
    CONFIGURATION_ON_COMMIT(
        new SafetyRules() {
          @Override
          public long configurationLimit(RaftLog log) {
            return log.committed();
          }
        }),
    /** A leader that removed itself keeps counting its own copy in quorums (breaks §4.2.2). */
    REMOVED_LEADER_COUNTS_ITSELF(
        new SafetyRules() {
          @Override
          public Quorum quorum(Membership membership, NodeId self) {
            if (membership.isEmpty() || membership.isVoter(self)) {
              return Quorum.of(membership);
            }
            java.util.TreeSet<NodeId> voters = new java.util.TreeSet<>(membership.voters());
            voters.add(self);
            return Quorum.joint(voters, membership.outgoingVoters());
          }
        });

    /** The rules the node's core runs with: broken for the bugs planted in the core. */
    final SafetyRules rules;

    Bug() {
      this(SafetyRules.RAFT);
    }

    Bug(SafetyRules rules) {
      this.rules = rules;
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
  // The register map behind the library's session table, rebuilt after every restart.
  final SimKv kv = new SimKv();
  final List<ReadState> reads = new ArrayList<>();
  // Snapshots of the state machine, durable across crashes; off unless enabled.
  final SimSnapshots snapshots = new SimSnapshots();

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
    Optional<SnapshotMeta> snapshot = recoverSnapshot();
    long start = snapshot.map(SnapshotMeta::index).orElse(baseApplied);
    Membership m = snapshot.map(SnapshotMeta::membership).orElse(membership);
    core = RaftCore.open(id, config, m, log, state.load(), start, random, bug.rules);
    snapshot.ifPresent(core::snapshotStored);
  }

  /**
   * Restores the state machine from the newest stored snapshot and makes the log start no later
   * than it, as {@code internal.Recovery} does: a log that ends before the snapshot or conflicts
   * with it (a crash between storing a received snapshot and resetting the log) restarts after it.
   */
  private Optional<SnapshotMeta> recoverSnapshot() {
    Optional<SnapshotMeta> latest = snapshots.latest();
    if (latest.isEmpty()) {
      return latest;
    }
    SnapshotMeta meta = latest.get();
    if (log.lastIndex() < meta.index()
        || (meta.index() >= log.firstIndex() && log.term(meta.index()) != meta.term())) {
      log.reset(meta.index(), meta.term());
    }
    if (log.firstIndex() - 1 > meta.index()) {
      throw new AssertionError(id + ": log " + log + " compacted beyond snapshot " + meta);
    }
    restore(meta, state.load().term());
    return latest;
  }

  /** Replaces the state machine by the stored snapshot {@code meta}. */
  private void restore(SnapshotMeta meta, long term) {
    Bytes stored = snapshots.read(meta);
    List<LogEntry> entries = SimSnapshots.entries(stored);
    applied.clear();
    kv.reset();
    for (LogEntry e : entries) {
      applied.add(e);
      kv.apply(e); // rebuilds the registers
    }
    kv.sessions = SimSnapshots.open(stored).sessions(); // the table comes from the snapshot
    observer.restored(this, entries, term);
  }

  RaftCore core() {
    return core;
  }

  Bug bug() {
    return bug;
  }

  /**
   * A client's session request at this node, as the driver's {@code SessionProposer} handles it: a
   * leader stamps it with {@code millis} and the limits and appends it; a follower that knows the
   * leader returns the {@link Message.ForwardProposal} to send it there. Returns the core's answer
   * and the message to send, if any.
   */
  record SessionProposal(ProposeResult result, Optional<Message> forward) {}

  SessionProposal proposeSession(SessionEntry request, long millis, SessionLimits limits) {
    ProposeResult r =
        core.propose(
            request.stamped(millis, limits).encode(), io.jangada.raft.model.EntryType.SESSION);
    if (r instanceof ProposeResult.NotLeader n && n.leaderHint().isPresent()) {
      return new SessionProposal(
          r,
          Optional.of(
              new Message.ForwardProposal(
                  id, n.leaderHint().get(), core.status().term(), request.encode())));
    }
    return new SessionProposal(r, Optional.empty());
  }

  /** A forwarded request arrived: appended if this node leads (as {@code SessionProposer}). */
  ProposeResult onForwarded(Message.ForwardProposal m, long millis, SessionLimits limits) {
    return core.propose(
        SessionEntry.decode(m.request()).stamped(millis, limits).encode(),
        io.jangada.raft.model.EntryType.SESSION);
  }

  /** The configuration the node was first started with (empty for a joining node). */
  Membership initialMembership() {
    return membership;
  }

  /**
   * The configuration in force on this running node, computed from its log as thesis §4.1 states it
   * (the newest configuration entry, committed or not), else from its newest snapshot, else the
   * initial one; independent of what the core reports, so that a core that gets it wrong is caught.
   */
  Membership configurationFromLog() {
    RaftLog raftLog = core.raftLog();
    long to = raftLog.lastIndex() + 1;
    long first = raftLog.firstIndex();
    while (to > first) {
      long from = Math.max(first, to - 64);
      List<LogEntry> chunk = raftLog.entries(from, to, Long.MAX_VALUE);
      for (int i = chunk.size() - 1; i >= 0; i--) {
        if (chunk.get(i).type() == io.jangada.raft.model.EntryType.MEMBERSHIP) {
          return Membership.decode(chunk.get(i).data());
        }
      }
      to = from;
    }
    return snapshots.latest().map(SnapshotMeta::membership).orElse(membership);
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
    if (pending.snapshot().isPresent()) {
      // A snapshot from the leader, already stored: it replaces the log and the state machine
      // before this Ready's entries are appended.
      SnapshotMeta meta = pending.snapshot().get();
      log.reset(meta.index(), meta.term());
      restore(meta, core.status().term());
      snapshots.adopted++;
    }
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
    maybeSnapshot();
    return late;
  }

  /** Takes a snapshot if enough entries were applied, then compacts the log behind it. */
  private void maybeSnapshot() {
    if (baseApplied != 0) {
      return;
    }
    Optional<SnapshotMeta> taken = snapshots.maybeTake(this, membership);
    if (taken.isPresent()) {
      SnapshotMeta meta = taken.get();
      core.snapshotStored(meta); // before compacting, as the driver does
      long upTo = Math.min(meta.index() - snapshots.trailing, log.lastIndex());
      if (upTo >= log.firstIndex()) {
        log.compactUpTo(upTo);
      }
    }
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
