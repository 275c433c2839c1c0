package io.jangada.raft.core;

import io.jangada.raft.RaftStatus.PeerStatus;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.Message.ReadIndexResponse;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.CompactedException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state only a leader has: per-peer {@link Progress}, pending ReadIndex rounds (thesis §6.4), a
 * leadership transfer in progress (thesis §3.10) and the uncommitted backlog. Lives for one term.
 */
final class Leader {

  private static final Logger LOG = LoggerFactory.getLogger(Leader.class);

  /** A read waiting for its leadership-confirming round; {@code from} empty means local. */
  private record PendingRead(long requestId, Optional<NodeId> from, long index, long round) {}

  private final NodeId self;
  private final long term;
  private final RaftConfig config;
  private final RaftLog log;
  // The configuration in force and its quorum; changes when a configuration entry is appended.
  private Membership membership;
  private Quorum quorum;
  private final List<Message> out;
  private final List<ReadState> readStates;
  private final TreeMap<NodeId, Progress> progress = new TreeMap<>();
  // What peerStatus() returned last (unmodifiable), or null.
  private Map<NodeId, PeerStatus> lastPeerStatus;
  private final SafetyRules rules;

  // The index of this leader's NOOP entry: the current term has a committed entry iff commit >= it.
  private final long noopIndex;

  // Ticks counted by the core; only the differences matter.
  private long now;

  private int heartbeatElapsed;
  private int checkQuorumElapsed;
  private Optional<NodeId> transferee = Optional.empty();
  private int transferElapsed;
  // A TimeoutNow went out this term: its target may win an election that ignores leases.
  private boolean timeoutNowSent;

  // Indexes and sizes of the entries appended in this term and not yet committed.
  private final ArrayDeque<long[]> uncommitted = new ArrayDeque<>();
  private long uncommittedBytes;

  // The newest heartbeat round; each heartbeat broadcast starts a new one.
  private long round;
  // round -> tick it was sent, pruned to the last election timeout (lease reads).
  private final TreeMap<Long, Long> roundSentAt = new TreeMap<>();
  private final ArrayDeque<PendingRead> waitingForCommit = new ArrayDeque<>();
  private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();

  // Lazily broadcast AppendRequests when the next Ready is built (batching). A commit advance
  // alone sends nothing: followers learn the commit index from the next AppendRequest that
  // carries entries or from the next heartbeat (as in SOFAJRaft and Ratis; etcd sends an empty
  // append per commit advance). A follower whose forwarded read needs the commit index hears it
  // at once (see commitOwedTo).
  private boolean broadcastEntries;

  Leader(
      NodeId self,
      long term,
      RaftConfig config,
      RaftLog log,
      Membership membership,
      List<Message> out,
      List<ReadState> readStates,
      SafetyRules rules) {
    this.self = self;
    this.rules = rules;
    this.term = term;
    this.config = config;
    this.log = log;
    this.membership = membership;
    this.quorum = rules.quorum(membership, self);
    this.out = out;
    this.readStates = readStates;
    long next = log.lastIndex() + 1;
    for (NodeId peer : membership.members()) {
      if (!peer.equals(self)) {
        progress.put(peer, new Progress(next, config.maxInflightAppends()));
      }
    }
    this.noopIndex = next;
  }

  long noopIndex() {
    return noopIndex;
  }

  /**
   * A configuration entry was appended (thesis §4.1: it is in force from now on): peers that joined
   * get a progress (probing from the end of the log), peers that left lose theirs, and a transfer
   * to a node that is no longer a voter is aborted.
   */
  void applyMembership(Membership next) {
    this.membership = next;
    this.quorum = rules.quorum(next, self);
    // Probe from the configuration entry just appended, so a new member receives it at once.
    long from = Math.max(1, log.lastIndex());
    for (NodeId peer : next.members()) {
      if (!peer.equals(self) && !progress.containsKey(peer)) {
        progress.put(peer, new Progress(from, config.maxInflightAppends()));
        broadcastEntries = true;
      }
    }
    progress.keySet().removeIf(peer -> !next.contains(peer));
    if (transferee.isPresent() && !next.isVoter(transferee.get())) {
      LOG.debug("{} aborts leadership transfer to removed {}", self, transferee.get());
      transferee = Optional.empty();
    }
  }

  /**
   * The voter of the configuration in force, other than this leader, with the highest match index
   * (the lowest id among equals), if any: the one a leader that removed itself hands over to.
   */
  Optional<NodeId> mostUpToDateVoter() {
    Optional<NodeId> best = Optional.empty();
    long bestMatch = -1;
    for (NodeId voter : membership.allVoters()) {
      Progress pr = progress.get(voter);
      if (pr != null && pr.match() > bestMatch) {
        best = Optional.of(voter);
        bestMatch = pr.match();
      }
    }
    return best;
  }

  /** The match index of {@code peer}; 0 if it is not a member. */
  long match(NodeId peer) {
    Progress pr = progress.get(peer);
    return pr == null ? 0 : pr.match();
  }

  Progress progress(NodeId peer) {
    return progress.get(peer);
  }

  boolean committedCurrentTerm() {
    return log.committed() >= noopIndex;
  }

  Optional<NodeId> transferee() {
    return transferee;
  }

  // ---- appending and sending ----

  /** Appends entries of this term to the log and schedules their replication. */
  void appendOwn(List<LogEntry> entries) {
    log.append(entries);
    for (LogEntry e : entries) {
      uncommitted.addLast(new long[] {e.index(), e.sizeBytes()});
      uncommittedBytes += e.sizeBytes();
    }
    broadcastEntries = true;
  }

  /** Bytes of this term's entries that are not committed yet. */
  long uncommittedBytes() {
    return uncommittedBytes;
  }

  /**
   * Appends a proposed entry of {@code type} at the end of the log, unless a leadership transfer is
   * in progress or it would take the uncommitted backlog over {@link
   * RaftConfig#maxUncommittedBytes()} (a single entry is always accepted into an empty backlog).
   */
  ProposeResult propose(Bytes command, EntryType type) {
    if (transferee.isPresent()) {
      return new ProposeResult.Dropped("leadership transfer in progress");
    }
    LogEntry entry = new LogEntry(log.lastIndex() + 1, term, type, command);
    if (uncommittedBytes > 0
        && uncommittedBytes + entry.sizeBytes() > config.maxUncommittedBytes()) {
      return new ProposeResult.Dropped(
          "uncommitted backlog would exceed maxUncommittedBytes ("
              + config.maxUncommittedBytes()
              + " bytes); retry once earlier entries commit");
    }
    appendOwn(List.of(entry));
    return new ProposeResult.Accepted(entry.index(), term);
  }

  /** The transport could not reach {@code peer}: probe it again instead of streaming. */
  void reportUnreachable(NodeId peer) {
    Progress pr = progress.get(peer);
    if (pr != null && pr.state() == Progress.State.REPLICATE) {
      pr.becomeProbe();
    }
  }

  /** A snapshot sent to {@code peer} finished: resume probing it. */
  void reportSnapshot(NodeId peer, boolean succeeded) {
    Progress pr = progress.get(peer);
    if (pr != null && pr.state() == Progress.State.SNAPSHOT) {
      LOG.debug("{} snapshot to {} done (succeeded={})", self, peer, succeeded);
      pr.becomeProbe();
    }
  }

  /** Sends the entries {@link #appendOwn} and new members scheduled, once per Ready. */
  void flush() {
    if (!broadcastEntries) {
      return;
    }
    broadcastEntries = false;
    for (NodeId peer : progress.keySet()) {
      sendAll(peer, false);
    }
  }

  /**
   * Sends the next AppendRequest to {@code peer} unless its progress is paused. Returns whether a
   * request carrying entries was sent.
   */
  boolean sendAppend(NodeId peer, boolean sendIfEmpty) {
    Progress pr = progress.get(peer);
    if (pr.isPaused()) {
      return false;
    }
    long next = pr.next();
    if (next < log.firstIndex()) {
      needSnapshot(peer, pr);
      return false;
    }
    long prevTerm;
    List<LogEntry> entries;
    try {
      prevTerm = log.term(next - 1);
      long last = log.lastIndex();
      long to = Math.min(last + 1, next + config.maxAppendEntries());
      entries = log.entries(next, to, config.maxAppendBytes());
    } catch (CompactedException e) {
      needSnapshot(peer, pr);
      return false;
    }
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    long commit = log.committed();
    out.add(new AppendRequest(self, peer, term, next - 1, prevTerm, entries, commit));
    pr.sent(next - 1 + entries.size(), entries.size(), now);
    // The follower commits up to min(commit, the last index of the request) once it accepts it.
    pr.commitSent = Math.max(pr.commitSent, Math.min(commit, next - 1 + entries.size()));
    return !entries.isEmpty();
  }

  private void needSnapshot(NodeId peer, Progress pr) {
    if (pr.state() != Progress.State.SNAPSHOT) {
      LOG.debug("{} needs entries before {}; peer {} moves to snapshot", self, pr.next(), peer);
      pr.becomeSnapshot();
    }
    // The driver sees the SNAPSHOT state in status().peers(), streams its newest snapshot and then
    // either the follower's AppendResponse (after it installed it) or reportSnapshot moves it on.
  }

  void broadcastHeartbeat() {
    round++;
    roundSentAt.put(round, now);
    roundSentAt.headMap(now - 2L * config.electionTicks()).clear();
    for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
      Progress pr = e.getValue();
      long commit = Math.min(pr.match(), log.committed());
      out.add(new Heartbeat(self, e.getKey(), term, commit, round));
      pr.commitSent = Math.max(pr.commitSent, commit);
    }
  }

  /**
   * Tells {@code peer} the commit index now if a read it forwarded waits for it (see {@link
   * #answer}) and nothing sent so far carried it: a heartbeat that starts no read round (round 0),
   * with the commit capped at the peer's match like every heartbeat. Without it the follower would
   * wait for the next append or heartbeat (up to a heartbeat interval) before serving the read.
   */
  private void commitOwedTo(NodeId peer, Progress pr) {
    if (pr.commitOwed > pr.commitSent && pr.match() >= pr.commitOwed) {
      long commit = Math.min(pr.match(), log.committed());
      out.add(new Heartbeat(self, peer, term, commit, 0));
      pr.commitSent = commit;
    }
  }

  // ---- responses ----

  /** Handles an AppendResponse; returns whether the peer's match index advanced. */
  boolean onAppendResponse(AppendResponse m) {
    Progress pr = progress.get(m.from());
    if (pr == null) {
      return false;
    }
    pr.recentActive = true;
    if (!m.success()) {
      if (pr.state() == Progress.State.SNAPSHOT) {
        return false;
      }
      if (pr.state() == Progress.State.PROBE
          && m.matchIndex() == pr.match()
          && pr.next() == pr.match() + 1
          && m.conflictTerm() == 0
          && m.conflictIndex() > 0 // 0: a rejection of an older term's request
          && m.conflictIndex() <= pr.match()) {
        // Asked whether it holds its match index, the follower says its log ends before it: it
        // lost entries it had acknowledged. Probing from match + 1 would be rejected forever, and
        // counting its old match would count copies it no longer holds.
        LOG.warn(
            "{}: {} reports its log ends at {}, below the index {} it acknowledged: it lost"
                + " acknowledged entries; resending from {}",
            self,
            m.from(),
            m.conflictIndex() - 1,
            pr.match(),
            m.conflictIndex());
        pr.regressTo(m.conflictIndex() - 1);
        sendAppend(m.from(), true);
        return false;
      }
      // Thesis §5.3 fast backtracking: skip the follower's whole conflicting term at once.
      boolean probing = pr.state() == Progress.State.PROBE;
      long limit = probing ? pr.next() - 1 : log.lastIndex();
      long newNext = Math.min(m.conflictIndex(), limit);
      if (m.conflictTerm() > 0 && m.conflictIndex() <= log.lastIndex()) {
        try {
          long i = log.lastIndexWithTermAtMost(limit, m.conflictTerm(), pr.match());
          if (i > pr.match() && log.term(i) == m.conflictTerm()) {
            newNext = i + 1;
          }
        } catch (CompactedException e) {
          // The driver compacted the log meanwhile; the follower's hint is good enough.
        }
      }
      pr.probeFrom(Math.min(newNext, log.lastIndex() + 1));
      if (probing && pr.next() - 1 == m.matchIndex()) {
        // The probe would repeat the probe just rejected (at the follower's match index, which
        // it acknowledged): a stale or duplicated rejection, or a log that contradicts its own
        // acknowledgement (forged or corrupt). Resending at once could loop as fast as the
        // network goes; the probe waits for the next heartbeat response instead.
        LOG.debug(
            "{}: {} rejected the probe at {}; probing again after a heartbeat",
            self,
            m.from(),
            m.matchIndex());
        pr.probeSent();
        return false;
      }
      sendAppend(m.from(), true);
      return false;
    }
    if (m.matchIndex() > log.lastIndex()) {
      return false; // not an index this leader ever sent
    }
    boolean updated = pr.maybeUpdate(m.matchIndex(), now);
    if (pr.state() == Progress.State.PROBE && m.matchIndex() >= pr.match()) {
      pr.becomeReplicate();
    } else if (pr.state() == Progress.State.SNAPSHOT && pr.match() >= log.firstIndex() - 1) {
      pr.becomeProbe();
    }
    if (updated) {
      maybeCommit();
    }
    sendAll(m.from(), false);
    commitOwedTo(m.from(), pr);
    if (transferee.equals(Optional.of(m.from())) && pr.match() == log.lastIndex()) {
      sendTimeoutNow(m.from());
    }
    return updated;
  }

  /** Sends to {@code peer} until its window is full or nothing is left to send. */
  private void sendAll(NodeId peer, boolean sendIfEmpty) {
    // Keep the pipeline full up to the inflight window. One loop with one call site: the earlier
    // `if (sendAppend(..)) while (sendAppend(..))` made C2 inline sendAppend (with the log reads
    // and the AppendRequest it builds) twice into every caller: RaftCore.hasReady had 59-62 kB of
    // code, 42-46 kB in this shape (benchmarks/PROFILE.md, branch jitroots).
    boolean first = true;
    while (sendAppend(peer, first && sendIfEmpty)) {
      first = false;
    }
  }

  void onHeartbeatResponse(HeartbeatResponse m) {
    Progress pr = progress.get(m.from());
    if (pr == null) {
      return;
    }
    pr.recentActive = true;
    // Judged before heartbeatAnswered, which may free a slot of a full window.
    boolean streaming = pr.state() == Progress.State.REPLICATE && pr.inflightCount() > 0;
    boolean stalled = pr.stalledAtHeartbeat(now, config.heartbeatTicks());
    pr.heartbeatAnswered();
    if (m.round() > pr.ackedRound && m.round() <= round) {
      pr.ackedRound = m.round();
      Long sentAt = roundSentAt.get(m.round());
      if (sentAt != null) {
        pr.ackedSentTick = Math.max(pr.ackedSentTick, sentAt);
      }
    }
    if (pr.match() < log.lastIndex()) {
      // The follower is behind. Probing, or with nothing in flight: the next append goes out (it
      // carries entries unless a probe repeats). Streaming: entries that a slot freed by
      // heartbeatAnswered lets through go out, but an append without entries only if the follower
      // showed no progress since its previous heartbeat response, for a heartbeat interval at
      // least (at most one such append per interval: see Progress.stalledAtHeartbeat). Then
      // an optimistic append may have been lost with nothing sent after it to reveal the gap: the
      // follower rejects this one and the peer goes back to probe. While acknowledgements flow
      // (under load, always), an empty append would tell the follower nothing that the appends
      // in flight do not.
      sendAppend(m.from(), !streaming || stalled);
      if (stalled) {
        pr.stallProbed(now);
      }
    }
    confirmReads();
  }

  void markActive(NodeId peer) {
    Progress pr = progress.get(peer);
    if (pr != null) {
      pr.recentActive = true;
    }
  }

  // ---- commit ----

  /**
   * §5.4.2: commits the highest index a majority holds, but only if it is from this term. The
   * leader's own copy counts only once the driver made it durable. Returns whether commit moved.
   */
  boolean maybeCommit() {
    long n =
        quorum.committedIndex(
            voter -> voter.equals(self) ? rules.leaderOwnMatch(log) : progress.get(voter).match());
    if (n <= log.committed() || !rules.commitsByCounting(log.term(n), term)) {
      return false;
    }
    log.commitTo(n);
    while (!uncommitted.isEmpty() && uncommitted.peekFirst()[0] <= n) {
      uncommittedBytes -= uncommitted.removeFirst()[1];
    }
    if (committedCurrentTerm() && !waitingForCommit.isEmpty()) {
      startRound(List.copyOf(waitingForCommit));
      waitingForCommit.clear();
    }
    return true;
  }

  // ---- ticks ----

  /** One tick; returns false if the leader must step down (CheckQuorum). */
  boolean tick() {
    now++;
    heartbeatElapsed++;
    checkQuorumElapsed++;
    if (transferee.isPresent() && ++transferElapsed >= config.electionTicks()) {
      LOG.debug("{} aborts leadership transfer to {}", self, transferee.get());
      transferee = Optional.empty();
    }
    if (checkQuorumElapsed >= config.electionTicks()) {
      checkQuorumElapsed = 0;
      if (config.checkQuorum() && !quorumActive()) {
        return false;
      }
      progress.values().forEach(pr -> pr.recentActive = false);
    }
    if (heartbeatElapsed >= config.heartbeatTicks()) {
      heartbeatElapsed = 0;
      broadcastHeartbeat();
    }
    return true;
  }

  private boolean quorumActive() {
    return quorum.reached(
        voter -> {
          Progress pr = progress.get(voter);
          return voter.equals(self) || (pr != null && pr.recentActive);
        });
  }

  // ---- reads ----

  /** Starts a ReadIndex for a local ({@code from} empty) or forwarded request. */
  void readIndex(long requestId, Optional<NodeId> from) {
    PendingRead read = new PendingRead(requestId, from, 0, 0);
    if (!committedCurrentTerm() && rules.readIndexWaitsForCurrentTermCommit()) {
      waitingForCommit.addLast(read); // thesis §6.4 step 1: wait for this term's no-op
      return;
    }
    startRound(List.of(read));
  }

  /**
   * Whether a lease read may be answered now without a round (requires CheckQuorum). Never during a
   * leadership transfer, nor after this leader sent TimeoutNow (even if the transfer was aborted
   * since: the message may still arrive, and the campaign it starts ignores the voters' lease).
   */
  boolean leaseValid() {
    if (!config.checkQuorum() || !committedCurrentTerm()) {
      return false;
    }
    if ((transferee.isPresent() || timeoutNowSent) && rules.leaseEndsWithTransfer()) {
      return false;
    }
    // Thesis §6.4.1: the lease ends leaseMarginTicks before a voter that acknowledged the heartbeat
    // could have timed out (it refuses votes for electionTicks of its own ticks after receiving
    // it), which covers the clock drift RaftConfig.leaseMarginTicks documents.
    int lease = config.electionTicks() - config.leaseMarginTicks();
    return quorum.reached(
        voter -> {
          Progress pr = progress.get(voter);
          return voter.equals(self) || (pr != null && now - pr.ackedSentTick < lease);
        });
  }

  private void startRound(List<PendingRead> reads) {
    long index = log.committed();
    if (quorum.reached(self::equals)) {
      reads.forEach(r -> answer(r.requestId(), r.from(), index, true));
      return;
    }
    broadcastHeartbeat();
    for (PendingRead r : reads) {
      pendingReads.addLast(new PendingRead(r.requestId(), r.from(), index, round));
    }
  }

  private void confirmReads() {
    while (!pendingReads.isEmpty()) {
      PendingRead r = pendingReads.peekFirst();
      if (!quorum.reached(voter -> voter.equals(self) || acked(voter, r.round()))) {
        return;
      }
      pendingReads.removeFirst();
      answer(r.requestId(), r.from(), r.index(), true);
    }
  }

  private boolean acked(NodeId voter, long readRound) {
    Progress pr = progress.get(voter);
    return pr != null && pr.ackedRound >= readRound;
  }

  /**
   * Answers a read. A follower that forwarded it serves it once it applied up to {@code index}, so
   * it must also learn a commit index that high: at once if it holds the entries (the round's
   * heartbeat usually told it already), otherwise as soon as it acknowledges them.
   */
  void answer(long requestId, Optional<NodeId> from, long index, boolean success) {
    if (from.isEmpty()) {
      readStates.add(new ReadState(requestId, success ? index : 0, success));
      return;
    }
    Progress pr = progress.get(from.get());
    if (success && pr != null) {
      pr.commitOwed = Math.max(pr.commitOwed, index);
      commitOwedTo(from.get(), pr);
    }
    out.add(new ReadIndexResponse(self, from.get(), term, requestId, success ? index : 0, success));
  }

  /** Leadership is lost: every pending read fails. */
  void failReads() {
    for (PendingRead r : waitingForCommit) {
      answer(r.requestId(), r.from(), 0, false);
    }
    for (PendingRead r : pendingReads) {
      answer(r.requestId(), r.from(), 0, false);
    }
    waitingForCommit.clear();
    pendingReads.clear();
  }

  // ---- transfer ----

  void transfer(NodeId target) {
    if (target.equals(self) || !membership.isVoter(target)) {
      LOG.debug("{} ignores leadership transfer to non-voter or self {}", self, target);
      return;
    }
    LOG.debug("{} starts leadership transfer to {}", self, target);
    transferee = Optional.of(target);
    transferElapsed = 0;
    Progress pr = progress.get(target);
    if (pr.match() == log.lastIndex()) {
      sendTimeoutNow(target);
    } else {
      sendAppend(target, false);
    }
  }

  private void sendTimeoutNow(NodeId target) {
    timeoutNowSent = true;
    out.add(new TimeoutNow(self, target, term));
  }

  // ---- status ----

  /**
   * Every follower's progress. The same map instance as last time while nothing changed, so a
   * caller can tell cheaply (the driver reads the status after every batch of inputs).
   */
  Map<NodeId, PeerStatus> peerStatus() {
    if (lastPeerStatus != null && peersUnchanged(lastPeerStatus, true)) {
      return lastPeerStatus;
    }
    TreeMap<NodeId, PeerStatus> peers = new TreeMap<>();
    progress.forEach(
        (id, pr) ->
            peers.put(id, new PeerStatus(pr.match(), pr.next(), pr.stateName(), pr.recentActive)));
    lastPeerStatus = Collections.unmodifiableMap(peers);
    return lastPeerStatus;
  }

  /**
   * The followers in the snapshot state (they need entries that were compacted) with their match
   * index, in id order; empty (and not allocated) when none does.
   */
  Map<NodeId, Long> snapshotPeers() {
    TreeMap<NodeId, Long> peers = null;
    for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
      if (e.getValue().state() == Progress.State.SNAPSHOT) {
        if (peers == null) {
          peers = new TreeMap<>();
        }
        peers.put(e.getKey(), e.getValue().match());
      }
    }
    return peers == null ? Map.of() : peers;
  }

  /**
   * Whether {@code published} (a {@link #peerStatus()} map) still names exactly the followers,
   * replication states and activity flags of now; match and next indexes are not compared.
   */
  boolean peerShapeUnchanged(Map<NodeId, PeerStatus> published) {
    return peersUnchanged(published, false);
  }

  /**
   * Writes every follower's match and next index, in id order, into {@code into} from {@code from}
   * on (two slots per follower) and returns whether anything differed from what {@code into} held.
   */
  boolean peerIndexes(long[] into, int from) {
    boolean changed = false;
    int i = from;
    for (Progress pr : progress.values()) {
      long match = pr.match();
      long next = pr.next();
      if (into[i] != match || into[i + 1] != next) {
        into[i] = match;
        into[i + 1] = next;
        changed = true;
      }
      i += 2;
    }
    return changed;
  }

  /** Whether {@code published} names the followers, states and flags (and indexes) of now. */
  private boolean peersUnchanged(Map<NodeId, PeerStatus> published, boolean withIndexes) {
    if (published.size() != progress.size()) {
      return false;
    }
    for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
      PeerStatus before = published.get(e.getKey());
      Progress pr = e.getValue();
      if (before == null
          || !before.state().equals(pr.stateName())
          || before.recentlyActive() != pr.recentActive
          || withIndexes
              && (before.matchIndex() != pr.match() || before.nextIndex() != pr.next())) {
        return false;
      }
    }
    return true;
  }

  void checkInvariants() {
    for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
      Progress pr = e.getValue();
      Check.state(pr.match() < pr.next(), e.getKey() + ": match >= next: " + pr);
      Check.state(pr.next() <= log.lastIndex() + 1, e.getKey() + ": next beyond log: " + pr);
    }
    Check.state(uncommittedBytes >= 0, "negative uncommitted bytes");
  }
}
