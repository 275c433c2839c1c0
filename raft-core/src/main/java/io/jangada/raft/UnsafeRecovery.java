package io.jangada.raft;

import io.jangada.raft.internal.SessionEntry;
import io.jangada.raft.internal.SessionTable;
import io.jangada.raft.internal.SnapshotFormat;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.storage.StateStorage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forces a new configuration on a <em>stopped</em> node after the permanent loss of a majority of
 * its cluster: the explicit, <strong>unsafe</strong> operator action of last resort (modelled on
 * hashicorp/raft's {@code RecoverCluster}). Use it only when the lost nodes will never come back;
 * otherwise wait for them, because a cluster with a majority can always change its membership
 * safely through {@link RaftNode#changeMembership}.
 *
 * <p>What it does: restores the newest snapshot into the state machine, applies <em>every</em>
 * command in the log after it (including entries that may never have been committed: the lost
 * majority took the knowledge of what was committed with it), writes a snapshot at the last log
 * index whose configuration is {@code target}, empties the log behind that snapshot and records the
 * whole log as committed. When the node starts again, {@code target} is the configuration in force,
 * so the survivors can elect a leader among themselves.
 *
 * <p>Why it is unsafe: writes acknowledged by the lost majority but missing from the surviving logs
 * are lost; entries that were never committed may now be committed; and if a lost node comes back
 * with its old data it may form a competing majority in the old configuration (never restart a node
 * that was left out of {@code target} with its old data directory). Run it with the same {@code
 * target} on every surviving node of {@code target}, each stopped, then start them. Every step is
 * logged at WARN.
 *
 * <p>Thread: the caller's. Blocking: reads and writes the storages and runs the state machine.
 * Errors: {@link IOException} from storage or the state machine's restore; the storages may then be
 * half-recovered (the snapshot is written before the log is cut, so repeating the operation is
 * safe).
 */
public final class UnsafeRecovery {

  private static final Logger log = LoggerFactory.getLogger(UnsafeRecovery.class);

  private UnsafeRecovery() {}

  /**
   * Forces {@code target} as the configuration of this node's storages; see the class comment.
   *
   * @param target the new configuration: simple (not joint), with at least one voter
   * @param stateMachine a fresh instance of the node's state machine (its state is replaced)
   * @return the snapshot that now holds the state and {@code target}
   * @throws IllegalArgumentException if {@code target} is empty or joint
   * @throws IllegalStateException if the node has neither a snapshot nor a log entry
   */
  public static SnapshotMeta forceMembership(
      Membership target,
      StateMachine stateMachine,
      LogStorage logStorage,
      StateStorage stateStorage,
      SnapshotStorage snapshotStorage)
      throws IOException {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(stateMachine, "stateMachine");
    if (target.voters().isEmpty() || target.isJoint()) {
      throw new IllegalArgumentException(
          "the forced configuration must be simple, with at least one voter: " + target);
    }
    warn("UNSAFE RECOVERY: forcing the configuration " + target + " on stopped storage");
    Optional<SnapshotMeta> latest = snapshotStorage.latest();
    long applied = 0;
    SessionTable sessions = new SessionTable();
    if (latest.isPresent()) {
      try (InputStream in = snapshotStorage.open(latest.get())) {
        SnapshotFormat.Opened opened = SnapshotFormat.open(in);
        stateMachine.restore(latest.get(), opened.stateMachineData());
        sessions = opened.sessions();
      }
      applied = latest.get().index();
    }
    long last = logStorage.lastIndex();
    long lastTerm;
    if (last > applied) {
      long first = Math.max(applied + 1, logStorage.firstIndex());
      if (first > applied + 1) {
        throw new IllegalStateException(
            "the log starts at " + first + " after the newest snapshot at " + applied);
      }
      for (long next = first; next <= last; ) {
        List<LogEntry> batch = logStorage.entries(next, last + 1, 4L << 20);
        for (LogEntry entry : batch) {
          apply(entry, stateMachine, sessions);
        }
        next = batch.get(batch.size() - 1).index() + 1;
      }
      lastTerm = logStorage.term(last);
    } else if (latest.isPresent()) {
      last = latest.get().index();
      lastTerm = latest.get().term();
    } else {
      throw new IllegalStateException(
          "nothing to recover: no snapshot and an empty log (start the node normally instead)");
    }
    HardState hard = stateStorage.load();
    if (latest.isPresent() && latest.get().index() == last) {
      warn(
          "UNSAFE RECOVERY: the newest snapshot covers the whole log; previous configuration "
              + latest.get().membership());
    }
    // The forced configuration counts as recorded at the last index (the next compare-and-set
    // change names it).
    SnapshotMeta forced = new SnapshotMeta(last, lastTerm, target, last);
    StateMachine.SnapshotWriter writer =
        SnapshotFormat.wrap(sessions.encode(), stateMachine.snapshot());
    try (SnapshotStorage.Sink sink = snapshotStorage.create(forced)) {
      writer.writeTo(sink.stream());
      sink.commit();
    }
    logStorage.reset(last, lastTerm);
    logStorage.sync();
    stateStorage.save(new HardState(Math.max(hard.term(), lastTerm), hard.votedFor(), last));
    warn(
        "UNSAFE RECOVERY: done; every entry up to "
            + last
            + " (term "
            + lastTerm
            + ") is now treated as committed and the configuration in force is "
            + target
            + ". Run the same recovery on every other surviving member, then start them; never"
            + " restart a left-out node with its old data.");
    return forced;
  }

  /** Applies one entry as the node's applier would (commands, and commands in sessions). */
  private static void apply(LogEntry entry, StateMachine stateMachine, SessionTable sessions) {
    long index = entry.index();
    if (entry.type() == EntryType.COMMAND) {
      stateMachine.apply(index, entry.data());
    } else if (entry.type() == EntryType.SESSION) {
      SessionEntry request;
      try {
        request = SessionEntry.decode(entry.data());
      } catch (IllegalArgumentException bad) {
        log.warn("UNSAFE RECOVERY: skipping an undecodable session entry at {}", index);
        return;
      }
      sessions.apply(index, request, command -> stateMachine.apply(index, command));
    }
  }

  private static void warn(String message) {
    log.warn("*****************************************************************");
    log.warn(message);
    log.warn("*****************************************************************");
  }
}
