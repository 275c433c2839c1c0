package io.jangada.raft.core;

import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.CompactedException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which configuration is in force on one node (thesis §4.1): the newest MEMBERSHIP entry in the
 * log, or, while the log holds none, the one given at open or carried by the newest snapshot.
 * Follows the log as entries are appended or truncated and as snapshots are received or stored, and
 * remembers the configuration before the newest entry (which says who may still campaign, §4.2.2).
 *
 * <p>Every adoption, even of an unchanged configuration, is reported to the core's callback, which
 * updates the role or the leader's quorum. Thread: the core's. Pure: reads only the log view.
 */
final class Configurations {

  private static final Logger LOG = LoggerFactory.getLogger(Configurations.class);

  private final NodeId id;
  private final RaftLog log;
  private final SafetyRules rules;
  private final Consumer<Membership> onAdopt;

  // The configuration to use while the log holds no MEMBERSHIP entry: the one given at open, or
  // the one of the newest snapshot received from a leader or stored by the driver.
  private Membership initial;
  // The index of the configuration entry initial comes from (0: given at open).
  private long initialIndex;
  // The index of the newest snapshot the driver reported (0: none), which initial is from.
  private long snapshotIndex;

  // The configuration in force: the newest MEMBERSHIP entry in the log (at index), or initial
  // when the log holds none (index == initialIndex).
  private Membership current;
  private long index;
  // The configuration in force before the newest configuration entry (initial if there is at most
  // one configuration entry in the log).
  private Membership previous;
  // With the test-only rule that a configuration takes effect on commit: the commit index at the
  // last reload.
  private long reloadedAtCommit = -1;

  /**
   * Loads the configuration in force from {@code log}, falling back to {@code initial}; {@code
   * onAdopt} sees every configuration adopted from then on, the first one included.
   */
  Configurations(
      NodeId id, RaftLog log, SafetyRules rules, Membership initial, Consumer<Membership> onAdopt) {
    this.id = id;
    this.log = log;
    this.rules = rules;
    this.initial = initial;
    this.onAdopt = onAdopt;
    reload();
  }

  /** The configuration in force. */
  Membership current() {
    return current;
  }

  /** The index of the configuration entry in force (0 or a snapshot's: none in the log). */
  long index() {
    return index;
  }

  /** The index of the newest snapshot received or stored (0: none). */
  long snapshotIndex() {
    return snapshotIndex;
  }

  /**
   * Whether {@code node} may campaign as far as the configuration goes: it is a voter in the one in
   * force, or (thesis §4.2.2) that one is not committed yet and {@code node} was a voter in the one
   * before, since it may still be needed until the new one commits.
   */
  boolean mayCampaign(NodeId node) {
    return current.isVoter(node) || (index > log.committed() && previous.isVoter(node));
  }

  /**
   * Whether to hear {@code message}, addressed to this node by another, under the configuration in
   * force: messages from removed servers that missed their removal and from non-members are ignored
   * (thesis §4.2.3), except those only a leader sends.
   */
  boolean admits(Message message) {
    if (message instanceof VoteRequest v
        && !current.isVoter(v.from())
        && !log.isUpToDate(v.lastLogIndex(), v.lastLogTerm())) {
      // Thesis §4.2.3: a removed server that missed its removal (its log lacks it) must not
      // disrupt the cluster, not even by moving terms. A non-voter whose log is up to date is
      // heard: its newer configuration (not yet in our log) may make it a voter, and ignoring it
      // could leave no electable node.
      LOG.debug("{} ignores {} from a non-voter", id, Describe.lazy(message));
      return false;
    }
    // A vote request that got past the check above has an up-to-date log and is heard even from
    // outside our configuration: a leader that proposed its own removal stays a candidate (thesis
    // §4.2.2) until that change commits, and nodes that still have the old configuration vote for
    // it; if the nodes that have the new one ignored it, neither side could win an election.
    if (!current.contains(message.from())
        && !fromLeader(message)
        && !(message instanceof VoteRequest)
        && !current.isEmpty()) {
      LOG.debug("{} ignores {} from a non-member", id, Describe.lazy(message));
      return false;
    }
    return true;
  }

  /**
   * Whether {@code m} is one only a leader sends. A node accepts these from senders outside its
   * configuration: its log may lag behind the configuration that added the current leader, and a
   * joining node knows no configuration at all.
   */
  private static boolean fromLeader(Message m) {
    return m instanceof AppendRequest
        || m instanceof Heartbeat
        || m instanceof InstallSnapshot
        || m instanceof TimeoutNow;
  }

  /**
   * With the (test-only) rule that makes a configuration take effect on commit: reloads the
   * configuration once the commit index moved since the last reload.
   */
  void afterInput() {
    if (rules.configurationLimit(log) < log.lastIndex() && log.committed() != reloadedAtCommit) {
      reloadedAtCommit = log.committed();
      reload();
    }
  }

  /** Keeps the configuration in force up to date after entries from {@code first} on changed. */
  void onAppended(long first, List<LogEntry> appended) {
    if (first <= index || rules.configurationLimit(log) < log.lastIndex()) {
      reload();
      return;
    }
    for (LogEntry e : appended) {
      if (e.type() == EntryType.MEMBERSHIP) {
        try {
          appended(e, Membership.decode(e.data()));
        } catch (IllegalArgumentException bad) {
          LOG.debug("{} ignores an undecodable membership entry {}", id, e.index());
        }
      }
    }
  }

  /** A configuration entry {@code e} holding {@code m} was appended after the one in force. */
  void appended(LogEntry e, Membership m) {
    previous = current;
    adopt(m, e.index());
  }

  /** A snapshot received from the leader replaced the log: its configuration is in force. */
  void restored(SnapshotMeta meta) {
    initial = meta.membership();
    initialIndex = meta.membershipIndex();
    snapshotIndex = meta.index();
    adopt(meta.membership(), meta.membershipIndex());
    previous = meta.membership();
  }

  /**
   * The driver stored a snapshot of its own: its configuration becomes the fallback, and the one in
   * force unless the log holds a newer configuration entry or {@code leading}. Older or repeated
   * reports are ignored.
   */
  void snapshotStored(SnapshotMeta meta, boolean leading) {
    if (meta.index() > snapshotIndex) {
      snapshotIndex = meta.index();
      initial = meta.membership();
      initialIndex = meta.membershipIndex();
      if (index <= meta.index() && !leading) {
        // No configuration entry after the snapshot: the one in force is the snapshot's.
        adopt(meta.membership(), meta.membershipIndex());
      }
    }
  }

  /** Thesis §4.1: the newest configuration entry in the log is in force, else the snapshot's. */
  void reload() {
    Membership before = current;
    long beforeIndex = index;
    long to = Math.min(log.lastIndex(), rules.configurationLimit(log)) + 1;
    long first = log.firstIndex();
    // The newest configuration entry and the one before it (which says who may still campaign).
    List<LogEntry> found = new ArrayList<>(2);
    List<Membership> decoded = new ArrayList<>(2);
    while (to > first && found.size() < 2) {
      long from = Math.max(first, to - 256);
      List<LogEntry> chunk;
      try {
        chunk = log.entries(from, to, Long.MAX_VALUE);
      } catch (CompactedException e) {
        break; // compacted meanwhile by the driver (behind a snapshot): keep the base membership
      }
      for (int i = chunk.size() - 1; i >= 0 && found.size() < 2; i--) {
        LogEntry e = chunk.get(i);
        if (e.type() == EntryType.MEMBERSHIP) {
          try {
            decoded.add(Membership.decode(e.data()));
            found.add(e);
          } catch (IllegalArgumentException bad) {
            LOG.debug("{} ignores an undecodable membership entry {}", id, e.index());
          }
        }
      }
      to = from;
    }
    if (found.isEmpty()) {
      adopt(initial, initialIndex);
    } else {
      adopt(decoded.get(0), found.get(0).index());
    }
    previous = found.size() < 2 ? initial : decoded.get(1);
    if (!current.equals(before) || index != beforeIndex) {
      LOG.debug("{} configuration now {} (index {})", id, current, index);
    }
  }

  private void adopt(Membership m, long at) {
    current = m;
    index = at;
    onAdopt.accept(m);
  }
}
