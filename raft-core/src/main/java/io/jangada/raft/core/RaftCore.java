package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.ForwardProposal;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.Message.ReadIndexRequest;
import io.jangada.raft.model.Message.ReadIndexResponse;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.Message.VoteResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.CompactedException;
import io.jangada.raft.storage.LogReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pure Raft algorithm (Raft paper Fig. 2, Ongaro's thesis): elections with PreVote and
 * CheckQuorum, log replication with pipelining, the commit rule, ReadIndex and lease reads, and
 * leadership transfer.
 *
 * <p>Inputs are method calls; output is a sequence of {@link Ready}s, which the driver writes in
 * order as their javadoc says and passes back to {@link #advance}, in order, once each is durable.
 * The driver may take the next Ready while earlier ones are still being written (etcd's
 * asynchronous storage writes): what a Ready hands out is never handed out again, but entries count
 * as stable (a leader counts its own copy towards commit) only once advanced, and every message
 * that promises something about this node's storage travels in the Ready whose write makes it true.
 * The core never writes storage, reads no clock, starts no thread and draws randomness only from
 * the injected generator, so the same inputs give the same outputs.
 *
 * <p>Thread: not thread-safe; one thread at a time (the driver's loop). Blocking: only as far as
 * the {@link LogReader} blocks. Errors: {@link #step} ignores stale, unknown or malformed input;
 * misuse of the Ready protocol throws {@link IllegalStateException}; null arguments throw {@link
 * NullPointerException}. A broken Raft invariant (for example a peer asking to truncate committed
 * entries) throws {@link IllegalStateException}.
 */
public final class RaftCore {

  private static final Logger LOG = LoggerFactory.getLogger(RaftCore.class);

  private final NodeId id;
  private final RaftConfig config;
  private final RaftLog log;
  // SafetyRules.RAFT except in the checker self-test.
  private final SafetyRules rules;
  // The configuration in force and how it follows the log and snapshots.
  private final Configurations configurations;
  // The leader's side of configuration changes.
  private final Reconfiguration reconfiguration;

  // Fig. 2 persistent state (handed out through Ready.hardState).
  private long term;
  private Optional<NodeId> votedFor;
  // Whether the storage lost synced entries, and until when this node abstains from elections.
  private final LostTail lostTail;
  // The election timer, votes and campaigns.
  private final Elections elections;

  private Role role;
  private Optional<NodeId> leaderId = Optional.empty();
  // The term in which another node last claimed leadership of a term this node leads (-1: never).
  private long secondLeaderReportedIn = -1;
  // Invariant: leader != null iff role == LEADER.
  private Leader leader;

  private long ticks;

  private final ForwardedReads forwardedReads = new ForwardedReads();

  // Output not yet handed out.
  private final List<Message> msgs = new ArrayList<>();
  private final List<ReadState> readStates = new ArrayList<>();

  private final ReadyProtocol readies;
  private final CoreStatus status;

  private RaftCore(
      NodeId id,
      RaftConfig config,
      Membership membership,
      RaftLog log,
      HardState state,
      long applied,
      RandomGenerator random,
      SafetyRules rules) {
    this.id = id;
    this.rules = rules;
    this.config = config;
    this.log = log;
    this.term = state.term();
    this.votedFor = state.votedFor();
    this.lostTail = new LostTail(id, log, state.commit());
    // As adjusted by open(): an adjusted commit alone is not worth a write.
    this.readies = new ReadyProtocol(log, config, msgs, readStates, hardState(), applied);
    this.configurations = new Configurations(id, log, rules, membership, this::onAdopted);
    this.reconfiguration = new Reconfiguration(id, config, log, rules, configurations, msgs);
    this.status = new CoreStatus(id, log, readies, configurations);
    this.elections =
        new Elections(id, config, log, rules, configurations, lostTail, state, random, msgs);
    this.role = nonLeaderRole();
    elections.resetTimer();
  }

  /**
   * Opens a core over the driver's durable state.
   *
   * @param log read-only view of the durable and pending log
   * @param state the last persisted hard state
   * @param applied the last index the state machine applied; later committed entries are handed out
   *     again through {@link Ready#committed()}
   * @param membership the configuration to use while the log holds no MEMBERSHIP entry
   * @throws IllegalArgumentException if {@code applied} lies outside the log
   */
  public static RaftCore open(
      NodeId id,
      RaftConfig config,
      Membership membership,
      LogReader log,
      HardState state,
      long applied,
      RandomGenerator random) {
    return open(id, config, membership, log, state, applied, random, SafetyRules.RAFT);
  }

  /**
   * TEST SEAM: {@link #open(NodeId, RaftConfig, Membership, LogReader, HardState, long,
   * RandomGenerator)} with other safety rules: the seam through which the checker self-test plants
   * a broken rule. Production code never calls it.
   */
  static RaftCore open(
      NodeId id,
      RaftConfig config,
      Membership membership,
      LogReader log,
      HardState state,
      long applied,
      RandomGenerator random,
      SafetyRules rules) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(membership, "membership");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(random, "random");
    long first = log.firstIndex();
    long last = log.lastIndex();
    Check.argument(
        applied >= first - 1 && applied <= last,
        "applied index " + applied + " is outside the log [" + (first - 1) + ", " + last + "]");
    // The commit index is volatile state in the paper: capping it at the log end is always safe.
    long commit = Math.max(Math.max(Math.min(state.commit(), last), first - 1), applied);
    return new RaftCore(
        id, config, membership, new RaftLog(log, commit), state, applied, random, rules);
  }

  // ---------------------------------------------------------------- inputs

  /** One logical tick: drives election timeouts, heartbeats, CheckQuorum and transfer timeouts. */
  public void tick() {
    ticks++;
    if (role == Role.LEADER) {
      if (!leader.tick()) {
        LOG.debug("{} steps down in term {}: no quorum active (CheckQuorum)", id, term);
        becomeFollower(term, Optional.empty());
      }
      return;
    }
    elections.tick();
    forwardedReads.expire(ticks, 2L * config.electionTicks(), readStates);
    if (elections.promotable() && elections.timedOut()) {
      startCampaign(false);
    }
  }

  /** Network input. Never throws for stale, unknown or misaddressed messages: they are ignored. */
  public void step(Message message) {
    Objects.requireNonNull(message, "message");
    if (message instanceof ForwardProposal) {
      return; // the driver's business (it proposes the request if this node leads); no term rules
    }
    if (!message.to().equals(id) || message.from().equals(id)) {
      LOG.debug("{} ignores misaddressed {}", id, Describe.lazy(message));
      return;
    }
    if (!configurations.admits(message)) {
      if (message instanceof VoteRequest v) {
        elections.ignored(v);
      }
      return;
    }
    if (message.term() > term) {
      if (!onHigherTerm(message)) {
        return;
      }
    } else if (message.term() < term) {
      onLowerTerm(message);
      return;
    }
    dispatch(message);
    afterInput();
  }

  /**
   * Proposes a command. Only a leader accepts; the entry is sent to followers with the next Ready.
   */
  public ProposeResult propose(Bytes command) {
    return propose(command, EntryType.COMMAND);
  }

  /**
   * Proposes an entry of {@code type} ({@link EntryType#COMMAND}, or {@link EntryType#SESSION} for
   * the driver's client-session requests); otherwise like {@link #propose(Bytes)}.
   */
  public ProposeResult propose(Bytes command, EntryType type) {
    Objects.requireNonNull(command, "command");
    if (type != EntryType.COMMAND && type != EntryType.SESSION) {
      throw new IllegalArgumentException("cannot propose an entry of type " + type);
    }
    if (role != Role.LEADER) {
      return new ProposeResult.NotLeader(leaderId);
    }
    return leader.propose(command, type);
  }

  /** {@link #proposeMembership(Membership, long)} without the compare-and-set. */
  public MembershipChange proposeMembership(Membership target) {
    return proposeMembership(target, ANY_CONFIGURATION);
  }

  /** Accept a change whatever the index of the configuration in force. */
  public static final long ANY_CONFIGURATION = -1;

  /**
   * Proposes a new configuration (thesis §4). Only a leader accepts, and only one change at a time:
   * while a configuration entry is uncommitted, or a joint configuration is still to be left, a
   * second change is refused ({@link MembershipChange.Reason#CHANGE_IN_PROGRESS}), never queued.
   *
   * <p>If at most one voter differs between the configuration in force and {@code target} (learners
   * may change freely), {@code target} is appended as is: a single-server change. Otherwise the
   * leader appends the joint configuration {@code current.enterJoint(target)} and, once that
   * commits, appends {@code target} by itself (thesis §4.3). A configuration is in force on each
   * node as soon as it is appended to its log; status and every {@link Ready} report it.
   *
   * <p>Every node that becomes a voter must be a member already (a learner, typically) whose log is
   * at most {@link RaftConfig#maxPromotionLag()} entries behind the leader's (thesis §4.2.1) and
   * holds the configuration in force, and which the leader heard from within the election timeout
   * (otherwise {@link MembershipChange.Reason#NOT_CAUGHT_UP}; {@code RaftNode} reports it as {@link
   * io.jangada.raft.LearnerNotCaughtUpException}). A leader may remove itself: it keeps leading
   * (without counting itself) until the change commits, then steps down and sends TimeoutNow to the
   * most up-to-date remaining voter (§4.2.2).
   *
   * @param target the configuration to end in: not joint, not empty, different from the one in
   *     force
   * @param expectedIndex the index of the configuration entry the caller based {@code target} on
   *     ({@link io.jangada.raft.RaftStatus#membershipIndex()}), or {@link #ANY_CONFIGURATION}: a
   *     different index refuses the change with {@link MembershipChange.Reason#STALE_CONFIGURATION}
   */
  public MembershipChange proposeMembership(Membership target, long expectedIndex) {
    Objects.requireNonNull(target, "target");
    if (role != Role.LEADER) {
      return new MembershipChange.NotLeader(leaderId);
    }
    return reconfiguration.propose(leader, term, target, expectedIndex);
  }

  /** Starts an election now (PreVote first if enabled); a no-op on a leader or a non-voter. */
  public void campaign() {
    if (role == Role.LEADER || !elections.promotable()) {
      LOG.debug("{} ignores campaign as {} (voter={})", id, role, elections.promotable());
      return;
    }
    startCampaign(false);
  }

  /**
   * The target of the leadership transfer this leader is running, if any; empty on a follower,
   * after the target took over, or once the transfer was aborted (after an election timeout).
   */
  public Optional<NodeId> transferee() {
    return role == Role.LEADER ? leader.transferee() : Optional.empty();
  }

  /**
   * Leader only (thesis §3.10): stops accepting proposals, brings {@code target} up to date and
   * sends it TimeoutNow; aborted after an election timeout.
   */
  public void transferLeadership(NodeId target) {
    Objects.requireNonNull(target, "target");
    if (role != Role.LEADER) {
      LOG.debug("{} ignores leadership transfer: not leader", id);
      return;
    }
    leader.transfer(target);
  }

  /**
   * ReadIndex (thesis §6.4). The outcome appears as a {@link ReadState} in a later Ready; a
   * follower forwards the request to the leader it knows.
   */
  public void readIndex(long requestId) {
    if (role == Role.LEADER) {
      leader.readIndex(requestId, Optional.empty());
    } else if (leaderId.isPresent() && membership().contains(id)) {
      forwardedReads.add(requestId, ticks);
      msgs.add(new ReadIndexRequest(id, leaderId.get(), term, requestId));
    } else {
      readStates.add(new ReadState(requestId, 0, false));
    }
  }

  /**
   * A lease read: answered at once with the commit index by a leader with CheckQuorum on whose
   * no-op committed and whose heartbeats a quorum acknowledged within its lease, the election
   * timeout minus {@link RaftConfig#leaseMarginTicks()} (this assumes the clock drift that margin
   * covers); otherwise the same as {@link #readIndex}.
   */
  public void leaseRead(long requestId) {
    if (role == Role.LEADER && leader.leaseValid()) {
      readStates.add(new ReadState(requestId, log.committed(), true));
    } else {
      readIndex(requestId);
    }
  }

  /** The transport could not reach {@code peer}: a leader probes it again instead of streaming. */
  public void reportUnreachable(NodeId peer) {
    Objects.requireNonNull(peer, "peer");
    if (role == Role.LEADER) {
      leader.reportUnreachable(peer);
    }
  }

  /**
   * The driver received and durably stored a snapshot from the leader (InstallSnapshot, Raft §7).
   * If it covers entries beyond our commit index, the core adopts it: the log view is replaced by
   * the snapshot at once (first index {@code meta.index + 1}), commit and applied move to {@code
   * meta.index}, the configuration becomes {@code meta.membership}, and the next {@link Ready}
   * carries {@link Ready#snapshot()} for the driver to install plus a successful AppendResponse
   * with {@code matchIndex = meta.index} to the leader. A snapshot at or below the commit index is
   * stale: the core only acknowledges its commit index. A snapshot whose last entry the log already
   * holds (same index and term) is not adopted either: the entries after it stay (they may have
   * been acknowledged), the commit index moves to {@code meta.index} and the core acknowledges it.
   *
   * <p>A leader ignores the call (its log holds every committed entry).
   *
   * @return whether the snapshot was adopted
   */
  public boolean installSnapshot(SnapshotMeta meta) {
    Objects.requireNonNull(meta, "meta");
    if (role == Role.LEADER) {
      LOG.debug("{} ignores a received snapshot at {} as leader", id, meta.index());
      return false;
    }
    if (meta.index() <= log.committed()) {
      LOG.debug("{} ignores stale snapshot {} (commit {})", id, meta.index(), log.committed());
      leaderId.ifPresent(
          l -> msgs.add(new AppendResponse(id, l, term, true, log.committed(), 0, 0)));
      return false;
    }
    if (log.matchTerm(meta.index(), meta.term())) {
      // Our log already holds the snapshot's last entry: keep the entries after it (we may have
      // acknowledged them, and a leader may have counted them towards a commit), only commit.
      LOG.debug("{} already holds snapshot {}/{}: commits to it", id, meta.index(), meta.term());
      log.commitTo(meta.index());
      leaderId.ifPresent(
          l -> msgs.add(new AppendResponse(id, l, term, true, log.committed(), 0, 0)));
      return false;
    }
    LOG.debug("{} adopts snapshot {}/{}", id, meta.index(), meta.term());
    log.restore(meta);
    readies.restored(meta.index());
    configurations.restored(meta);
    leaderId.ifPresent(l -> msgs.add(new AppendResponse(id, l, term, true, meta.index(), 0, 0)));
    return true;
  }

  /**
   * The driver stored a snapshot of its own state machine and may now compact the log up to {@code
   * meta.index()}: the snapshot's configuration becomes the one in force whenever the remaining log
   * holds no MEMBERSHIP entry (so compacting a MEMBERSHIP entry away never brings back an older
   * configuration). Older or repeated reports are ignored.
   */
  public void snapshotStored(SnapshotMeta meta) {
    Objects.requireNonNull(meta, "meta");
    configurations.snapshotStored(meta, role == Role.LEADER);
  }

  /** A snapshot sent to {@code peer} finished: the leader resumes probing it. */
  public void reportSnapshot(NodeId peer, boolean succeeded) {
    Objects.requireNonNull(peer, "peer");
    if (role == Role.LEADER) {
      leader.reportSnapshot(peer, succeeded);
    }
  }

  // ---------------------------------------------------------------- Ready

  /**
   * Whether {@link #ready()} has something to hand out, also while earlier Readys are outstanding
   * (the driver bounds how many it keeps in flight). May build the AppendRequests for proposals
   * made since the last Ready.
   */
  public boolean hasReady() {
    if (leader != null) {
      leader.flush();
    }
    return readies.has(term, votedFor, hardStateCommit());
  }

  /** How many Readys were handed out and not advanced yet. */
  public int readysOutstanding() {
    return readies.outstanding();
  }

  /**
   * The next batch of work. It holds only what no earlier Ready handed out, and may be taken while
   * earlier ones are still outstanding; the driver writes and advances them in order.
   *
   * @throws IllegalStateException if nothing is ready
   */
  public Ready ready() {
    if (!hasReady()) {
      throw new IllegalStateException("nothing is ready; check hasReady() first");
    }
    return readies.take(
        hardState(),
        membership(),
        configurations.index(),
        role == Role.LEADER ? leader.snapshotPeers() : Map.of(),
        role == Role.LEADER);
  }

  /**
   * The driver made {@code handled} durable, after every earlier Ready: its hard state, snapshot
   * and entries (those still in the log with the same term) become stable, so a leader now counts
   * its own copy of them, and its committed entries count as applied (they are applied in order).
   *
   * @throws IllegalStateException if {@code handled} is not the oldest outstanding Ready
   */
  public void advance(Ready handled) {
    Objects.requireNonNull(handled, "handled");
    readies.advance(handled);
    if (role == Role.LEADER) {
      leader.maybeCommit(); // the leader's own copy counts only once durable
    }
    afterInput();
  }

  /** Bytes of this leader's entries that are not committed yet (backpressure); 0 off a leader. */
  public long uncommittedBytes() {
    return role == Role.LEADER ? leader.uncommittedBytes() : 0;
  }

  /** An immutable snapshot of this node's state. */
  public RaftStatus status() {
    return status.full(role, term, leaderId, leader);
  }

  /**
   * {@link #status()} for a driver that reads it after every batch of inputs: the same object as
   * long as the role, term, leader, configuration (and its index) and, on a leader, the followers,
   * their replication states and activity flags stay the same, so it is rebuilt only when one of
   * those changes. Its commit, applied, first, last and snapshot indexes and the peers' match and
   * next indexes are those of when it was built: {@link #statusIndexes} gives the current ones, and
   * {@link StatusIndexes#apply} puts both together into what {@link #status()} returns.
   */
  public RaftStatus statusShape() {
    return status.shape(role, term, leaderId, leader);
  }

  /**
   * Writes the current indexes of {@link #status()} into {@code into} (the slots of {@link
   * StatusIndexes}, the peers' in the order of {@link #statusShape()}'s) and returns whether any
   * differed from what {@code into} held. Allocates nothing.
   *
   * @throws IllegalArgumentException if {@code into} does not {@link StatusIndexes#fits fit} the
   *     current {@link #statusShape()}
   */
  public boolean statusIndexes(long[] into) {
    return status.indexes(into, role, term, leaderId, leader);
  }

  /** The log view (durable and unstable entries), for the simulation's checkers only. */
  RaftLog raftLog() {
    return log;
  }

  /** Checks the internal invariants; throws {@link IllegalStateException} if one is broken. */
  void assertInvariants() {
    readies.assertInvariants();
    Check.state(log.committed() <= log.lastIndex(), "commit beyond the last index");
    Check.state(log.committed() >= log.firstIndex() - 1, "commit below the snapshot");
    Check.state((role == Role.LEADER) == (leader != null), "leader state without leader role");
    Check.state(
        role != Role.LEADER || leaderId.equals(Optional.of(id)), "leader does not know itself");
    Check.state(
        role != Role.CANDIDATE || votedFor.equals(Optional.of(id)),
        "candidate did not vote for itself");
    Check.state(readies.previousHardState().term() <= term, "term went backwards");
    Check.state(
        log.stableLastIndex() <= log.lastIndex() || log.unstable().isEmpty(),
        "stable index beyond the log");
    if (leader != null) {
      leader.checkInvariants();
    }
    status.assertConsistent(role, term, leaderId, leader);
  }

  // ---------------------------------------------------------------- terms and roles

  /** Returns whether to go on handling a message with a higher term than ours. */
  private boolean onHigherTerm(Message m) {
    if (m instanceof VoteRequest v) {
      if (elections.leaseIgnores(v, leaderId, role == Role.LEADER, ticks)) {
        return false;
      }
      if (!v.preVote() || !rules.preVoteKeepsTerm()) {
        becomeFollower(m.term(), Optional.empty());
      }
      return true; // a pre-vote never changes our term
    }
    if (m instanceof VoteResponse r && r.preVote() && r.granted()) {
      return true; // carries the term we would campaign in
    }
    boolean fromLeader =
        m instanceof AppendRequest
            || m instanceof Heartbeat
            || m instanceof InstallSnapshot
            || m instanceof ReadIndexResponse;
    becomeFollower(m.term(), fromLeader ? Optional.of(m.from()) : Optional.empty());
    return true;
  }

  /** Fig. 2 "reply false if term < currentTerm", so a stale leader or candidate learns our term. */
  private void onLowerTerm(Message m) {
    if (m instanceof AppendRequest) {
      msgs.add(new AppendResponse(id, m.from(), term, false, 0, 0, 0));
    } else if (m instanceof Heartbeat) {
      msgs.add(new HeartbeatResponse(id, m.from(), term, 0));
    } else if (m instanceof VoteRequest v) {
      msgs.add(new VoteResponse(id, m.from(), term, v.preVote(), false));
    } else if (m instanceof InstallSnapshot s) {
      msgs.add(new InstallSnapshotResponse(id, m.from(), term, s.meta().index(), 0, false));
    } else {
      LOG.debug("{} ignores stale {}", id, Describe.lazy(m));
    }
  }

  private Role nonLeaderRole() {
    return membership().isLearner(id) ? Role.LEARNER : Role.FOLLOWER;
  }

  private HardState hardState() {
    return new HardState(term, votedFor, hardStateCommit());
  }

  private long hardStateCommit() {
    return Math.max(log.committed(), lostTail.storedCommit());
  }

  private void setLeader(Optional<NodeId> newLeader) {
    if (!newLeader.equals(leaderId)) {
      forwardedReads.failAll(readStates);
      leaderId = newLeader;
    }
  }

  private void becomeFollower(long newTerm, Optional<NodeId> newLeader) {
    if (leader != null) {
      leader.failReads();
      leader = null;
    }
    if (newTerm > term) {
      term = newTerm;
      votedFor = Optional.empty();
    }
    Role old = role;
    role = nonLeaderRole();
    setLeader(newLeader);
    elections.endCampaign();
    if (old != role || newLeader.isPresent()) {
      elections.resetTimer();
    }
    // Fig. 2: a follower that merely learns a higher term (from a vote request it may reject)
    // keeps its running election timer; otherwise candidates with stale logs could keep an
    // up-to-date node from ever campaigning.
    if (old != role) {
      LOG.debug("{} became {} in term {} (leader {})", id, role, term, newLeader.orElse(null));
    }
  }

  private void startCampaign(boolean transfer) {
    if (config.preVote() && !transfer) {
      becomePreCandidate();
    } else {
      becomeCandidate(transfer);
    }
  }

  private void becomePreCandidate() {
    role = Role.PRE_CANDIDATE;
    setLeader(Optional.empty());
    LOG.debug("{} became pre-candidate in term {}", id, term);
    if (elections.preCampaign(term, membership())) {
      becomeCandidate(false);
    }
  }

  private void becomeCandidate(boolean transfer) {
    term = elections.nextCampaignTerm(term);
    votedFor = Optional.of(id);
    role = Role.CANDIDATE;
    setLeader(Optional.empty());
    LOG.debug("{} became candidate in term {} (transfer={})", id, term, transfer);
    if (elections.campaign(term, transfer, membership())) {
      becomeLeader();
    }
  }

  private void becomeLeader() {
    role = Role.LEADER;
    setLeader(Optional.of(id));
    elections.endCampaign();
    elections.restartTimer();
    leader = new Leader(id, term, config, log, membership(), msgs, readStates, rules);
    LOG.debug("{} became leader in term {}", id, term);
    // §5.4.2 / thesis §6.4: a no-op of the new term lets earlier entries (and reads) commit.
    leader.appendOwn(List.of(LogEntry.noop(log.lastIndex() + 1, term)));
  }

  // ---------------------------------------------------------------- message handling

  private void dispatch(Message m) {
    if (m instanceof VoteRequest v) {
      onVoteRequest(v);
    } else if (m instanceof VoteResponse v) {
      onVoteResponse(v);
    } else if (m instanceof AppendRequest a) {
      onAppendRequest(a);
    } else if (m instanceof AppendResponse a) {
      if (role == Role.LEADER) {
        leader.onAppendResponse(a);
      }
    } else if (m instanceof Heartbeat h) {
      onHeartbeat(h);
    } else if (m instanceof HeartbeatResponse h) {
      if (role == Role.LEADER) {
        leader.onHeartbeatResponse(h);
      }
    } else if (m instanceof InstallSnapshot s) {
      // The driver moves the bytes and calls installSnapshot once a snapshot is stored; here a
      // chunk only shows the leader is alive (term, leader, election timer).
      followLeader(s.from());
    } else if (m instanceof InstallSnapshotResponse s) {
      if (role == Role.LEADER) {
        leader.markActive(s.from());
      }
    } else if (m instanceof TimeoutNow t) {
      onTimeoutNow(t);
    } else if (m instanceof ReadIndexRequest r) {
      if (role == Role.LEADER) {
        leader.readIndex(r.requestId(), Optional.of(r.from()));
      } else {
        msgs.add(new ReadIndexResponse(id, r.from(), term, r.requestId(), 0, false));
      }
    } else if (m instanceof ReadIndexResponse r) {
      if (forwardedReads.complete(r.requestId())) {
        readStates.add(new ReadState(r.requestId(), r.readIndex(), r.success()));
      }
    } else if (m instanceof ForwardProposal) {
      LOG.debug("{} ignores {}: forwarded proposals are the driver's", id, Describe.lazy(m));
    } else {
      throw new AssertionError(m);
    }
  }

  private void onVoteRequest(VoteRequest v) {
    if (elections.answer(v, term, votedFor, role, leaderId)) {
      votedFor = Optional.of(v.from());
    }
  }

  private void onVoteResponse(VoteResponse r) {
    Quorum.VoteResult result = elections.count(r, role, term, membership());
    if (result == Quorum.VoteResult.WON) {
      if (role == Role.PRE_CANDIDATE) {
        becomeCandidate(false);
      } else {
        becomeLeader();
      }
    } else if (result == Quorum.VoteResult.LOST) {
      LOG.debug("{} lost the {} in term {}", id, role, term);
      becomeFollower(term, Optional.empty());
    }
  }

  /** Follows {@code from} as leader of the current term; false if we lead this term ourselves. */
  private boolean followLeader(NodeId from) {
    if (role == Role.LEADER) {
      reportSecondLeader(from);
      return false;
    }
    if (role != nonLeaderRole() || !leaderId.equals(Optional.of(from))) {
      becomeFollower(term, Optional.of(from));
    } else {
      elections.restartTimer();
    }
    return true;
  }

  /**
   * {@code other} sent a leader's message in the term this node leads: two leaders in one term,
   * which Election Safety (thesis §3.6.3) rules out for nodes that keep their storage. It means
   * lost storage (a node restarted from an old copy of its data, a lost term/vote file) or nodes
   * that came back after an unsafe recovery; acknowledged writes may diverge. The message is
   * ignored, and said at ERROR once per term (the other leader keeps sending).
   */
  private void reportSecondLeader(NodeId other) {
    if (secondLeaderReportedIn != term) {
      secondLeaderReportedIn = term;
      LOG.error(
          "node {} leads term {} and {} sent a leader's message in that same term: two leaders"
              + " in one term (lost storage, or nodes back after an unsafe recovery?)",
          id,
          term,
          other);
    }
  }

  private void onAppendRequest(AppendRequest a) {
    if (!followLeader(a.from())) {
      return;
    }
    long prev = a.prevLogIndex();
    if (prev < log.committed()) {
      // Everything up to commit matches the leader's log already.
      Acks.acknowledge(msgs, id, a.from(), term, log.committed());
      return;
    }
    if (rules.logMatches(log, prev, a.prevLogTerm())) {
      long lastNew = prev + a.entries().size();
      long conflict = log.findConflict(a.entries());
      if (conflict != 0) {
        List<LogEntry> suffix =
            a.entries().subList(Math.toIntExact(conflict - prev - 1), a.entries().size());
        if (conflict <= log.lastIndex()) {
          logTruncation(conflict);
        }
        log.append(suffix);
        configurations.onAppended(conflict, suffix);
      }
      log.commitTo(Math.min(a.leaderCommit(), lastNew));
      Acks.acknowledge(msgs, id, a.from(), term, lastNew);
      return;
    }
    rejectAppend(a, prev);
  }

  // Cold paths of onAppendRequest, out of line: the JIT compiles a call instead of inlining them
  // into the follower's hot path (they run during elections and repairs, so their branches are
  // profiled as taken).
  private void logTruncation(long conflict) {
    LOG.debug("{} truncates its log from {}", id, conflict);
  }

  /** §5.3 optimization: tells the leader where our log diverges from its request's. */
  private void rejectAppend(AppendRequest a, long prev) {
    long last = log.lastIndex();
    long conflictIndex = last + 1;
    long conflictTerm = 0;
    if (prev <= last) {
      try {
        conflictTerm = log.term(prev);
        conflictIndex = log.firstIndexOfTermAt(prev);
      } catch (CompactedException e) {
        conflictIndex = log.committed() + 1;
        conflictTerm = 0;
      }
    }
    msgs.add(new AppendResponse(id, a.from(), term, false, prev, conflictIndex, conflictTerm));
  }

  private void onHeartbeat(Heartbeat h) {
    if (!followLeader(h.from())) {
      return;
    }
    long last = log.lastIndex();
    log.commitTo(Math.min(h.commit(), last));
    msgs.add(new HeartbeatResponse(id, h.from(), term, h.round()));
    if (h.commit() > last) {
      reportLostTail(h, last);
    }
  }

  /**
   * A heartbeat's commit index is capped at the match index this node acknowledged, so a log ending
   * before it lost entries it had synced and acknowledged (a cut tail whose stored commit index is
   * older, which {@link LostTail} cannot see). Rejecting as if the heartbeat were an AppendRequest
   * with {@code prevLogIndex} at that commit makes the leader probe its match index and, on the
   * rejection, resend what was lost; without it an idle leader sends only heartbeats and the node
   * waits for the next write.
   */
  private void reportLostTail(Heartbeat h, long last) {
    LOG.warn(
        "{}: {} sent commit index {} but the log ends at {}: acknowledged entries are lost;"
            + " asking for them again",
        id,
        h.from(),
        h.commit(),
        last);
    msgs.add(new AppendResponse(id, h.from(), term, false, h.commit(), last + 1, 0));
  }

  private void onTimeoutNow(TimeoutNow t) {
    if (role == Role.LEADER || !elections.promotable()) {
      LOG.debug("{} ignores {} as {}", id, Describe.lazy(t), role);
      return;
    }
    LOG.debug("{} campaigns at once after {}", id, Describe.lazy(t));
    becomeCandidate(true); // thesis §3.10: skip PreVote, voters skip the lease check
  }

  // ---------------------------------------------------------------- membership

  /**
   * After an input: lets the configuration follow the commit index where the (test-only) rules say
   * so; on a leader, leaves a committed joint configuration or steps down once its own removal
   * committed (see {@link Reconfiguration#afterCommit}).
   */
  private void afterInput() {
    configurations.afterInput();
    if (role == Role.LEADER && reconfiguration.afterCommit(leader, term)) {
      becomeFollower(term, Optional.empty());
    }
  }

  /** A configuration was adopted: the leader's quorum or a non-leader's role follows it. */
  private void onAdopted(Membership m) {
    if (role == null) {
      return; // still in the constructor
    }
    if (role == Role.LEADER) {
      leader.applyMembership(m);
    } else if (role == Role.FOLLOWER || role == Role.LEARNER) {
      role = nonLeaderRole();
    }
  }

  private Membership membership() {
    return configurations.current();
  }

  @Override
  public String toString() {
    return "RaftCore[" + id + " " + role + " t" + term + " commit=" + log.committed() + "]";
  }
}
