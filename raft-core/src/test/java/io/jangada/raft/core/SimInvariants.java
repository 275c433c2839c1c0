package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Raft safety properties (Fig. 3 of the paper), checked by a simulation as it goes:
 *
 * <ul>
 *   <li>Election Safety: at most one leader per term, over the whole history.
 *   <li>Log Matching: an (index, term) pair names one entry and one previous term everywhere, so
 *       two logs that share an (index, term) share the prefix up to it.
 *   <li>Leader Completeness: an entry seen committed while the observer was in term τ is in the log
 *       of every leader of a term above τ.
 *   <li>State Machine Safety: no two nodes commit or apply different entries at one index, and each
 *       node applies in index order without gaps.
 *   <li>ReadIndex linearizability: a successful read index is at least the highest index any node
 *       knew committed when the read was requested.
 *   <li>Leader commit rule (Fig. 2, §5.4.2): a leader moves its commit index only onto an entry of
 *       its own term (earlier entries commit indirectly), which rules out the Figure 8 anomaly even
 *       when no schedule happens to overwrite such an entry.
 *   <li>One configuration change at a time (thesis §4.1): when a leader appends a configuration
 *       entry, no other configuration entry in its log lies beyond the highest index any node knows
 *       committed.
 *   <li>Terms come from campaigns: every term a node is in was started by a node that became
 *       candidate (or leader) in it, so a pre-vote never moves a term (thesis §9.6).
 *   <li>Durability: when an entry is first seen committed (a leader's commit index is looked at
 *       after every event), a quorum of nodes holds it in their synced log (or in a durable
 *       snapshot covering it), so no crash can lose it. With membership churn, the quorum is the
 *       one of the configuration in force on the leader that moved its commit index (computed from
 *       that leader's log, joint configurations needing both majorities), checked right after the
 *       event that moved it.
 *   <li>Monotonicity: per core instance the term and commit index never decrease; the durable term,
 *       vote and commit never go back, across restarts too, and a node never votes twice in a term.
 * </ul>
 *
 * A broken property throws {@link Violation}. Not thread-safe.
 */
final class SimInvariants implements SimNode.Observer {

  /** A safety property was broken. */
  static final class Violation extends AssertionError {
    private static final long serialVersionUID = 1L;

    Violation(String message) {
      super(message);
    }
  }

  /** What an (index, term) pair stands for: the entry and the term of the entry before it. */
  private record Stamp(LogEntry entry, long prevTerm) {}

  /** A committed entry and the lowest term of a node that saw it committed. */
  private record Committed(LogEntry entry, long seenInTerm) {}

  // Off in the checker self-test, to show that the cluster-wide properties catch a forgotten vote.
  boolean checkVoteHistory = true;
  // Off in the checker self-test, to show that the clients' linearizability check catches stale
  // reads on its own.
  boolean checkReadFloor = true;
  // Membership churn: durability is checked against each committing leader's configuration.
  boolean churn;

  private final TreeMap<Long, NodeId> leaders = new TreeMap<>();
  private final java.util.HashSet<Long> campaigned = new java.util.HashSet<>(List.of(0L));
  private final Map<Long, Map<Long, Stamp>> stamps = new HashMap<>();
  private final TreeMap<Long, Committed> committed = new TreeMap<>();
  // Entries seen committed for the first time since the last check, for the durability check.
  private final List<LogEntry> newlyCommitted = new ArrayList<>();
  private final Map<NodeId, HardState> saved = new HashMap<>();
  private final Map<String, Long> instanceTerm = new HashMap<>();
  private final Map<String, Long> instanceCommit = new HashMap<>();
  private final Map<String, Long> leaderCommit = new HashMap<>();
  private final Map<String, Long> leaderConfigIndex = new HashMap<>();
  private final Map<String, Long> recordedUpTo = new HashMap<>();
  private final Map<String, Long> leaderCheckedUpTo = new HashMap<>();
  private final Map<Long, Long> readFloor = new HashMap<>();
  long readsChecked;

  @Override
  public void appended(SimNode node, List<LogEntry> entries) {
    long first = node.log.firstIndex();
    for (LogEntry e : entries) {
      long prevTerm = e.index() - 1 >= first - 1 ? node.log.term(e.index() - 1) : -1;
      Map<Long, Stamp> atIndex = stamps.computeIfAbsent(e.index(), i -> new HashMap<>());
      Stamp old = atIndex.get(e.term());
      if (old == null) {
        atIndex.put(e.term(), new Stamp(e, prevTerm));
        continue;
      }
      if (!old.entry().equals(e)) {
        throw new Violation(
            "Log Matching: "
                + node.id
                + " holds "
                + Describe.entry(e)
                + " but another log holds "
                + Describe.entry(old.entry()));
      }
      if (old.prevTerm() >= 0 && prevTerm >= 0 && old.prevTerm() != prevTerm) {
        throw new Violation(
            "Log Matching: "
                + node.id
                + " holds "
                + Describe.entry(e)
                + " after term "
                + prevTerm
                + " but another log has it after term "
                + old.prevTerm());
      }
      if (old.prevTerm() < 0) {
        atIndex.put(e.term(), new Stamp(e, prevTerm));
      }
    }
  }

  @Override
  public void savedHardState(SimNode node, HardState state) {
    HardState before = saved.put(node.id, state);
    if (before == null) {
      return;
    }
    if (state.term() < before.term()) {
      throw new Violation(node.id + " saved term " + state.term() + " after " + before.term());
    }
    if (state.commit() < before.commit()) {
      throw new Violation(
          node.id + " saved commit " + state.commit() + " after " + before.commit());
    }
    if (checkVoteHistory
        && state.term() == before.term()
        && before.votedFor().isPresent()
        && !state.votedFor().equals(before.votedFor())) {
      throw new Violation(
          node.id
              + " voted for "
              + state.votedFor().map(Object::toString).orElse("nobody")
              + " in term "
              + state.term()
              + " after voting for "
              + before.votedFor().get());
    }
  }

  @Override
  public void persisted(SimNode node) {
    RaftStatus s = node.core().status();
    String instance = recordCommitIndex(node, s);
    if (s.role() == Role.LEADER) {
      checkLeaderComplete(node, s.term(), instance + "@" + s.term());
    }
  }

  /** Records the entries up to {@code node}'s commit index as committed; returns its instance. */
  private String recordCommitIndex(SimNode node, RaftStatus s) {
    String instance = node.id + "#" + node.restarts;
    // The core's view of its log: with Readys in flight, storage may still hold entries the core
    // has replaced (a truncation not yet handed out), and the commit index refers to the core's.
    RaftLog view = node.core().raftLog();
    long from = Math.max(recordedUpTo.getOrDefault(instance, 0L) + 1, view.firstIndex());
    long to = Math.min(s.commitIndex(), view.lastIndex());
    if (from <= to) {
      for (LogEntry e : view.entries(from, to + 1, Long.MAX_VALUE)) {
        recordCommitted(node, e, s.term());
      }
      recordedUpTo.put(instance, to);
    }
    return instance;
  }

  @Override
  public void applied(SimNode node, LogEntry entry) {
    if (entry.index() != node.appliedIndex()) {
      throw new Violation(
          node.id
              + " applied "
              + Describe.entry(entry)
              + " but its state machine was at "
              + (node.appliedIndex() - 1));
    }
    recordCommitted(node, entry, node.core().status().term());
  }

  /**
   * State Machine Safety for snapshots: the state restored from a snapshot (the entries applied up
   * to it) must be the committed prefix every other node applied.
   */
  @Override
  public void restored(SimNode node, List<LogEntry> entries, long term) {
    for (int i = 0; i < entries.size(); i++) {
      LogEntry e = entries.get(i);
      if (e.index() != i + 1) {
        throw new Violation(
            node.id + " restored a snapshot with a gap before " + Describe.entry(e));
      }
      recordCommitted(node, e, term);
    }
  }

  /** A read {@code requestId} starts; its read index must reach {@code floor}. */
  void readRequested(long requestId, long floor) {
    readFloor.put(requestId, floor);
  }

  @Override
  public void read(SimNode node, ReadState state) {
    Long floor = readFloor.remove(state.requestId());
    if (floor != null && state.success()) {
      readsChecked++;
    }
    if (checkReadFloor && floor != null && state.success() && state.readIndex() < floor) {
      throw new Violation(
          "ReadIndex: "
              + node.id
              + " answered read "
              + state.requestId()
              + " with index "
              + state.readIndex()
              + " but "
              + floor
              + " was committed before the read started");
    }
  }

  /** The highest index known committed, by any node. */
  long maxCommitted(Iterable<SimNode> nodes) {
    long max = committed.isEmpty() ? 0 : committed.lastKey();
    for (SimNode node : nodes) {
      if (node.isUp()) {
        max = Math.max(max, node.core().status().commitIndex());
      }
    }
    return max;
  }

  private void recordCommitted(SimNode node, LogEntry e, long term) {
    Committed old = committed.get(e.index());
    if (old == null) {
      committed.put(e.index(), new Committed(e, term));
      newlyCommitted.add(e);
    } else if (!old.entry().equals(e)) {
      throw new Violation(
          "State Machine Safety: "
              + node.id
              + " commits "
              + Describe.entry(e)
              + " but "
              + Describe.entry(old.entry())
              + " was committed before");
    } else if (term < old.seenInTerm()) {
      committed.put(e.index(), new Committed(e, term));
    }
  }

  /** Leader Completeness, for the committed entries not yet checked against this leader. */
  private void checkLeaderComplete(SimNode node, long term, String key) {
    if (committed.isEmpty()) {
      return;
    }
    long first = node.log.firstIndex();
    long checked = leaderCheckedUpTo.getOrDefault(key, first - 1);
    for (Committed c : committed.tailMap(checked, false).values()) {
      if (c.seenInTerm() >= term) {
        continue;
      }
      long index = c.entry().index();
      if (index < first) {
        // Compacted: the leader's effective log there is its snapshot, i.e. its applied prefix.
        if (node.appliedIndex() == node.applied.size()
            && index <= node.applied.size()
            && !node.applied.get((int) index - 1).equals(c.entry())) {
          throw new Violation(
              "Leader Completeness: leader "
                  + node.id
                  + " of term "
                  + term
                  + " has "
                  + Describe.entry(node.applied.get((int) index - 1))
                  + " in its snapshot, not committed "
                  + Describe.entry(c.entry()));
        }
        continue;
      }
      if (index > node.log.lastIndex() || node.log.term(index) != c.entry().term()) {
        throw new Violation(
            "Leader Completeness: leader "
                + node.id
                + " of term "
                + term
                + " lacks committed "
                + Describe.entry(c.entry())
                + " (seen committed in term "
                + c.seenInTerm()
                + ")");
      }
    }
    leaderCheckedUpTo.put(key, committed.lastKey());
  }

  /** The per-event checks over every running node. */
  void check(Iterable<SimNode> nodes) {
    // A leader's commit index counts as seen committed right after the event that moved it, not
    // only once a Ready of its is persisted: its own later write may sync first, and followers
    // learn the commit index only with the next append or heartbeat, so neither would show a
    // commit that counted an unsynced copy (the LEADER_COUNTS_ITSELF_ON_HAND_OFF self-test).
    for (SimNode node : nodes) {
      if (node.isUp() && node.core().status().role() == Role.LEADER) {
        recordCommitIndex(node, node.core().status());
      }
    }
    checkDurable(nodes);
    for (SimNode node : nodes) {
      if (node.isUp()
          && (node.core().status().role() == Role.CANDIDATE
              || node.core().status().role() == Role.LEADER)) {
        campaigned.add(node.core().status().term());
      }
    }
    for (SimNode node : nodes) {
      if (node.isUp() && !campaigned.contains(node.core().status().term())) {
        throw new Violation(
            "Terms: "
                + node.id
                + " is in term "
                + node.core().status().term()
                + " but no node campaigned in it (a pre-vote must not change terms)");
      }
    }
    for (SimNode node : nodes) {
      if (!node.isUp()) {
        continue;
      }
      node.core().assertInvariants();
      RaftStatus s = node.core().status();
      String instance = node.id + "#" + node.restarts;
      if (s.role() == Role.LEADER) {
        Long before = leaderCommit.put(instance + "@" + s.term(), s.commitIndex());
        if (churn && before != null && s.commitIndex() > before) {
          checkCommitQuorum(node, s.commitIndex(), nodes);
        }
        Long configBefore = leaderConfigIndex.put(instance + "@" + s.term(), s.membershipIndex());
        if (churn && configBefore != null && s.membershipIndex() > configBefore) {
          checkOneChangeAtATime(node, nodes);
        }
        if (before != null
            && s.commitIndex() > before
            && s.commitIndex() >= node.log.firstIndex()
            && s.commitIndex() <= node.log.lastIndex()
            && node.log.term(s.commitIndex()) != s.term()) {
          throw new Violation(
              "Commit rule: leader "
                  + node.id
                  + " of term "
                  + s.term()
                  + " moved its commit index to "
                  + s.commitIndex()
                  + ", an entry of term "
                  + node.log.term(s.commitIndex()));
        }
        NodeId other = leaders.putIfAbsent(s.term(), node.id);
        if (other != null && !other.equals(node.id)) {
          throw new Violation(
              "Election Safety: " + other + " and " + node.id + " both led term " + s.term());
        }
      }
      Long term = instanceTerm.put(instance, s.term());
      if (term != null && s.term() < term) {
        throw new Violation(node.id + " went from term " + term + " back to " + s.term());
      }
      HardState durable = saved.get(node.id);
      if (term == null && durable != null && s.term() < durable.term()) {
        throw new Violation(
            node.id + " restarted in term " + s.term() + " below its saved " + durable.term());
      }
      Long commit = instanceCommit.put(instance, s.commitIndex());
      if (commit != null && s.commitIndex() < commit) {
        throw new Violation(node.id + " commit went from " + commit + " to " + s.commitIndex());
      }
    }
  }

  /**
   * Durability under churn: leader {@code node} just moved its commit index to {@code commit}; the
   * entry there must be durable on a quorum of the configuration in force on it.
   */
  private void checkCommitQuorum(SimNode leader, long commit, Iterable<SimNode> nodes) {
    RaftLog raftLog = leader.core().raftLog();
    if (commit < raftLog.firstIndex()) {
      return;
    }
    long term = raftLog.term(commit);
    io.jangada.raft.model.Membership config = leader.configurationFromLog();
    List<NodeId> durable = new ArrayList<>();
    for (SimNode node : nodes) {
      boolean inLog = node.log.durableTerm(commit).orElse(-1) == term;
      boolean inSnapshot = node.snapshots.latest().map(m -> m.index() >= commit).orElse(false);
      if (inLog || inSnapshot) {
        durable.add(node.id);
      }
    }
    if (!Quorum.of(config).reached(durable::contains)) {
      throw new Violation(
          "Durability: leader "
              + leader.id
              + " committed "
              + commit
              + "/"
              + term
              + " in configuration "
              + config
              + " while only "
              + durable
              + " had it synced");
    }
  }

  /**
   * Leader {@code node} just appended a configuration entry: it must be the only uncommitted one.
   */
  private void checkOneChangeAtATime(SimNode leader, Iterable<SimNode> nodes) {
    RaftLog raftLog = leader.core().raftLog();
    long from = Math.max(maxCommitted(nodes) + 1, raftLog.firstIndex());
    List<Long> uncommitted = new ArrayList<>();
    if (from <= raftLog.lastIndex()) {
      for (LogEntry e : raftLog.entries(from, raftLog.lastIndex() + 1, Long.MAX_VALUE)) {
        if (e.type() == io.jangada.raft.model.EntryType.MEMBERSHIP) {
          uncommitted.add(e.index());
        }
      }
    }
    if (uncommitted.size() > 1) {
      throw new Violation(
          "One change at a time: leader "
              + leader.id
              + " holds uncommitted configuration entries at "
              + uncommitted);
    }
  }

  private void checkDurable(Iterable<SimNode> nodes) {
    if (newlyCommitted.isEmpty()) {
      return;
    }
    if (churn) {
      newlyCommitted.clear(); // checked per leader, against its configuration
      return;
    }
    int size = 0;
    for (SimNode ignored : nodes) {
      size++;
    }
    for (LogEntry e : newlyCommitted) {
      int durable = 0;
      for (SimNode node : nodes) {
        boolean inLog = node.log.durableTerm(e.index()).orElse(-1) == e.term();
        boolean inSnapshot = node.snapshots.latest().map(m -> m.index() >= e.index()).orElse(false);
        if (inLog || inSnapshot) {
          durable++;
        }
      }
      if (durable < size / 2 + 1) {
        throw new Violation(
            "Durability: "
                + Describe.entry(e)
                + " was committed while only "
                + durable
                + " of "
                + size
                + " nodes had it synced");
      }
    }
    newlyCommitted.clear();
  }

  /** The leader of each term seen so far. */
  Map<Long, NodeId> leaders() {
    return leaders;
  }

  /** The committed entry at {@code index}, if any node saw it committed. */
  Optional<LogEntry> committedAt(long index) {
    Committed c = committed.get(index);
    return c == null ? Optional.empty() : Optional.of(c.entry());
  }

  long committedCount() {
    return committed.size();
  }

  /** The terms that had a leader, for summaries. */
  List<Long> leaderTerms() {
    return new ArrayList<>(leaders.keySet());
  }
}
