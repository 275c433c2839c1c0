package io.jangada.raft.core;

import io.jangada.raft.SessionLimits;
import io.jangada.raft.internal.SessionEntry;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
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
 *       AppendRequests and Heartbeats may leave now (thesis §10.2.1, {@link
 *       Ready#mayLeaveBeforeSync}).
 *   <li>{@link #finishReady}: for the oldest outstanding Ready, save the hard state, sync if {@code
 *       mustSync}, send the other messages, apply the committed entries, advance.
 * </ol>
 *
 * <p>Up to {@link #maxInFlight} Readys may be begun and not finished (asynchronous storage writes,
 * as {@code NodeLoop} does): the node keeps taking input and building Readys meanwhile, and
 * finishes them in order. Their appends reach storage in Ready order; a sync makes all of them
 * durable (the real writer syncs one Ready at a time, so this only makes more durable, earlier, and
 * the core never learns of it before its own Ready finishes). A {@link #crash} loses every
 * outstanding Ready and a random prefix of the unsynced writes.
 */
final class SimNode {

  /** Hooks the invariant checkers use; all default to doing nothing. */
  interface Observer {
    /** Entries were just appended to {@code node}'s storage. */
    default void appended(SimNode node, List<LogEntry> entries) {}

    /** {@code node} saved {@code state} durably. */
    default void savedHardState(SimNode node, HardState state) {}

    /**
     * {@code node} finished persisting its oldest outstanding Ready (and so every earlier one); not
     * advanced yet.
     */
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
    /**
     * A leader counts its own copy of an entry as soon as it appended it, not once the write that
     * holds it is durable (advanced): with Readys in flight, it commits what only it and a minority
     * hold durably.
     */
    LEADER_COUNTS_ITSELF_ON_HAND_OFF(
        new SafetyRules() {
          @Override
          public long leaderOwnMatch(RaftLog log) {
            return log.lastIndex();
          }
        }),
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
    /** A leader keeps answering lease reads after it sent TimeoutNow (thesis §3.10, §6.4.1). */
    LEASE_READ_DURING_TRANSFER(
        new SafetyRules() {
          @Override
          public boolean leaseEndsWithTransfer() {
            return false;
          }
        }),
    /**
     * A restarted voter forgets the lease promise it gave before it stopped and may vote at once,
     * while the leader it acknowledged still answers lease reads (thesis §6.4.1; {@link
     * VoterLease}).
     */
    RESTARTED_VOTER_FORGETS_LEASE(
        new SafetyRules() {
          @Override
          public boolean voterLeaseSurvivesRestart() {
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
  // Handed out, entries appended, not yet finished; oldest first.
  private final java.util.ArrayDeque<Begun> pending = new java.util.ArrayDeque<>();

  /** A begun Ready and the node's term when it was taken (a snapshot was adopted in that term). */
  private record Begun(Ready ready, long term) {}

  // How many Readys may be begun and not finished at once (1: the old one-Ready-in-flight driver).
  int maxInFlight = 1;
  int restarts;
  // A paused process (think SIGSTOP or a long GC pause): no ticks, no Ready handling, no input.
  boolean paused;
  long pausedAt;
  long resumeAt;
  // The last tick of virtual time this node's clock skipped (see SimCluster.tickOnce).
  long skippedAt = Long.MIN_VALUE / 2;

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

  /** The Ready begun last and not finished yet. */
  Ready newestBegun() {
    return pending.peekLast().ready();
  }

  /** The Ready the next {@link #finishReady} finishes. */
  Ready oldestBegun() {
    return pending.peekFirst().ready();
  }

  /** Whether a begun Ready waits to be finished. */
  boolean isBusy() {
    return !pending.isEmpty();
  }

  /** Whether a new Ready can be begun now: up, not paused, below the in-flight cap, work ready. */
  boolean canBegin() {
    return core != null && !paused && pending.size() < maxInFlight && core.hasReady();
  }

  /**
   * Whether the node can take an input now: up and not paused (also while Readys are being written,
   * as the driver's loop does).
   */
  boolean acceptsInput() {
    return core != null && !paused;
  }

  long appliedIndex() {
    return baseApplied + applied.size();
  }

  /** Phase 1. Returns the messages that may leave before the write is synced. */
  List<Message> beginReady() {
    Ready r = core.ready();
    pending.addLast(new Begun(r, core.status().term()));
    if (r.snapshot().isPresent()) {
      // A snapshot from the leader, already stored: it replaces the log before this Ready's
      // entries are appended (the state machine follows when the Ready finishes, after the
      // committed entries of earlier Readys).
      SnapshotMeta meta = r.snapshot().get();
      log.reset(meta.index(), meta.term());
      snapshots.adopted++;
    }
    if (!r.entries().isEmpty()) {
      log.append(r.entries());
      observer.appended(this, r.entries());
    }
    List<Message> early = new ArrayList<>();
    for (Message m : r.messages()) {
      if (leavesEarly(r, m)) {
        early.add(m);
      }
    }
    return early;
  }

  private boolean leavesEarly(Ready r, Message m) {
    return bug == Bug.ACK_BEFORE_SYNC || r.mayLeaveBeforeSync(m);
  }

  /** Phase 2. Returns the messages held back until the write was durable. */
  List<Message> finishReady() {
    Begun begun = pending.removeFirst();
    Ready r = begun.ready();
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
      if (!leavesEarly(r, m)) {
        late.add(m);
      }
    }
    if (r.snapshot().isPresent()) {
      restore(r.snapshot().get(), begun.term());
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
    Ready r = pending.peekLast().ready();
    while (!pending.isEmpty()) {
      finishReady();
    }
    return r.messages();
  }

  /**
   * A storage fault outside Raft's model (issue 12): the log loses its synced entries after {@code
   * keepUpTo}, as when recovery cuts a damaged tail. The hard state (commit index included) stays.
   * Call on a crashed node, before it restarts.
   */
  void loseSyncedTail(long keepUpTo) {
    long first = log.firstIndex();
    java.util.List<LogEntry> kept =
        keepUpTo >= first ? log.entries(first, keepUpTo + 1, Long.MAX_VALUE) : List.of();
    log.reset(first - 1, log.term(first - 1));
    log.append(kept);
    log.sync();
  }

  /**
   * Synced entries this node lost ({@link SimCluster}'s storage fault), index to term, until its
   * log holds them again: a leader may still count the acknowledgements it sent for them.
   */
  final java.util.TreeMap<Long, Long> lostEntries = new java.util.TreeMap<>();

  /**
   * The configuration this (crashed) node reopens with if its log ends at {@code index}: the newest
   * configuration entry up to there, else its snapshot's, else the initial one.
   */
  Membership configurationUpTo(long index) {
    for (long i = Math.min(index, log.lastIndex()); i >= log.firstIndex(); i--) {
      LogEntry e = log.entries(i, i + 1, Long.MAX_VALUE).get(0);
      if (e.type() == io.jangada.raft.model.EntryType.MEMBERSHIP) {
        return Membership.decode(e.data());
      }
    }
    return snapshots.latest().map(m -> m.membership()).orElse(membership);
  }

  /** Whether the synced log ends before the stored commit index (a tail was lost, not refilled). */
  boolean missingCommitted() {
    return log.lastIndex() < state.load().commit();
  }

  /** Power loss: the core and the outstanding Ready vanish, unsynced writes partly survive. */
  void crash(RandomGenerator random) {
    core = null;
    pending.clear();
    paused = false;
    log.crash(random);
    if (bug == Bug.FORGET_VOTE_ON_CRASH) {
      HardState hs = state.load();
      state.save(new HardState(hs.term(), Optional.empty(), hs.commit()));
    }
    restarts++;
  }
}
