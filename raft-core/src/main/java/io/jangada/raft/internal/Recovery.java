package io.jangada.raft.internal;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.LogStorage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a node's storage and state machine to a consistent starting point: loads the hard state,
 * restores the newest committed snapshot into the state machine (and the session table) (a
 * half-written one is never visible), makes the log start no later than the snapshot (resetting a
 * log that ends before it or conflicts with it, as after a crash between storing a received
 * snapshot and resetting the log) and refuses a log compacted beyond every snapshot. The log tail
 * after the snapshot is replayed later through the core's committed entries.
 *
 * <p>Thread: the loop, before the node runs. Blocking: reads storage. Errors: {@link IOException}
 * or {@link IllegalStateException}; the node does not start.
 */
final class Recovery {

  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** Where the node starts: the hard state, the restored snapshot and the configuration. */
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
    long applied = 0;
    SessionTable sessions = new SessionTable();
    if (snapshot.isPresent()) {
      SnapshotMeta meta = snapshot.get();
      try (InputStream in = options.snapshotStorage().open(meta)) {
        SnapshotFormat.Opened opened = SnapshotFormat.open(in);
        options.stateMachine().restore(meta, opened.stateMachineData());
        sessions = opened.sessions();
      }
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
}
