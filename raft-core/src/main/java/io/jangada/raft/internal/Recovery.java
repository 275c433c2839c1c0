package io.jangada.raft.internal;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.LogStorage;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a node's storage to a consistent starting point: loads the hard state, finds the newest
 * committed snapshot (a half-written one is never visible; the applier restores it, state machine
 * and session table, on the apply thread), makes the log start no later than the snapshot
 * (resetting a log that ends before it or conflicts with it, as after a crash between storing a
 * received snapshot and resetting the log) and refuses a log compacted beyond every snapshot. The
 * log tail after the snapshot is replayed later through the core's committed entries.
 *
 * <p>Thread: the loop, before the node runs. Blocking: reads storage. Errors: {@link IOException}
 * or {@link IllegalStateException}; the node does not start.
 */
final class Recovery {

  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /**
   * Where the node starts: the hard state, the snapshot to restore, the configuration, and an empty
   * session table (the applier fills it from the snapshot).
   */
  record Recovered(
      HardState hard,
      Optional<SnapshotMeta> snapshot,
      Membership membership,
      SessionTable sessions) {
    long applied() {
      return snapshot.map(SnapshotMeta::index).orElse(0L);
    }
  }

  private Recovery() {}

  static Recovered recover(NodeOptions options) throws IOException {
    NodeId id = options.id();
    HardState hard = options.stateStorage().load();
    LogStorage logStorage = options.logStorage();
    Optional<SnapshotMeta> snapshot = options.snapshotStorage().latest();
    Membership membership = options.membership();
    checkTerms(id, hard, logStorage, snapshot);
    long applied = 0;
    SessionTable sessions = new SessionTable();
    if (snapshot.isPresent()) {
      SnapshotMeta meta = snapshot.get();
      applied = meta.index();
      membership = meta.membership();
      long last = logStorage.lastIndex();
      if (last < applied) {
        // The snapshot is newer than the whole log (e.g. the node crashed after storing a snapshot
        // received from the leader but before resetting its log): the log restarts after it.
        log.info(
            "node {}: the log ends at {} before the snapshot {}; resetting it", id, last, meta);
        logStorage.reset(meta.index(), meta.term());
      } else if (applied >= logStorage.firstIndex() && logStorage.term(applied) != meta.term()) {
        // The log diverges from the committed snapshot: only uncommitted entries can differ.
        log.info("node {}: the log conflicts with the snapshot {}; resetting it", id, meta);
        logStorage.reset(meta.index(), meta.term());
      }
    }
    long compacted = logStorage.firstIndex() - 1;
    if (compacted > applied) {
      throw new IllegalStateException(
          "the log of node "
              + id
              + " starts after index "
              + compacted
              + " but no snapshot covers it (newest snapshot index "
              + applied
              + "); the data directory is incomplete");
    }
    return new Recovered(hard, snapshot, membership, sessions);
  }

  /**
   * A node stores its term before any entry or snapshot of that term, so a log or snapshot from a
   * newer term than the stored one means the term/vote storage was lost or replaced; starting from
   * it, the node could vote twice in a term.
   */
  private static void checkTerms(
      NodeId id, HardState hard, LogStorage logStorage, Optional<SnapshotMeta> snapshot) {
    long last = logStorage.lastIndex();
    long lastTerm = logStorage.term(last);
    long snapshotTerm = snapshot.map(SnapshotMeta::term).orElse(0L);
    if (lastTerm > hard.term() || snapshotTerm > hard.term()) {
      throw new IllegalStateException(
          "node "
              + id
              + ": the stored term is "
              + hard.term()
              + " but the log ends at index "
              + last
              + " of term "
              + lastTerm
              + snapshot.map(m -> " and the newest snapshot is of term " + m.term()).orElse("")
              + ": the term/vote storage was lost or replaced, and starting from it could vote"
              + " twice in a term. Restore it, or rebuild this node's data");
    }
  }
}
