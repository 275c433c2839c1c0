package io.jangada.raft.core;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The core's side of the Ready protocol: builds each {@link Ready} from the core's pending output
 * and the log's unstable part, allows one outstanding at a time, and on {@link #advance} marks the
 * handled entries and snapshot stable.
 *
 * <p>Thread: the core's. Errors: misuse of the protocol throws {@link IllegalStateException}.
 */
final class ReadyProtocol {

  private final RaftLog log;
  private final RaftConfig config;
  private final List<Message> msgs;
  private final List<ReadState> readStates;

  // The hard state handed out last (or the one at open).
  private HardState prevHardState;
  private long readyCounter;
  private Ready outstanding;

  /**
   * Hands out the core's {@code msgs} and {@code readStates} (emptied at each Ready); {@code
   * stored} is the hard state as of open, which is not worth a write by itself.
   */
  ReadyProtocol(
      RaftLog log,
      RaftConfig config,
      List<Message> msgs,
      List<ReadState> readStates,
      HardState stored) {
    this.log = log;
    this.config = config;
    this.msgs = msgs;
    this.readStates = readStates;
    this.prevHardState = stored;
  }

  /** Whether a Ready was handed out and not advanced yet. */
  boolean isOutstanding() {
    return outstanding != null;
  }

  /** The hard state handed out last. */
  HardState previousHardState() {
    return prevHardState;
  }

  /**
   * Whether there is something to hand out, with {@code hardState} and {@code applied} the core's
   * now.
   */
  boolean has(HardState hardState, long applied) {
    return !hardState.equals(prevHardState)
        || log.unstable().hasSnapshotNotHandedOut()
        || log.unstable().hasNotHandedOut()
        || !msgs.isEmpty()
        || !readStates.isEmpty()
        || applied < log.committed();
  }

  /** Throws {@link IllegalStateException} if a Ready is outstanding. */
  void checkNoneOutstanding() {
    if (outstanding != null) {
      throw new IllegalStateException(
          "Ready " + outstanding.id() + " was not advanced yet; call advance(ready) first");
    }
  }

  /**
   * The next Ready, once {@link #has} said there is something to hand out; {@code snapshotPeers}
   * are the followers a leader must send a snapshot ({@link Ready}).
   */
  Ready take(
      HardState hs,
      long applied,
      Membership membership,
      long membershipIndex,
      Map<NodeId, Long> snapshotPeers) {
    Optional<HardState> changed = hs.equals(prevHardState) ? Optional.empty() : Optional.of(hs);
    boolean mustSync =
        hs.term() != prevHardState.term() || !hs.votedFor().equals(prevHardState.votedFor());
    Optional<SnapshotMeta> snapshot = log.unstable().takeSnapshotNotHandedOut();
    List<LogEntry> entries = log.unstable().takeNotHandedOut();
    mustSync |= !entries.isEmpty() || snapshot.isPresent();
    List<LogEntry> committed =
        applied < log.committed()
            ? log.entries(applied + 1, log.committed() + 1, config.maxCommittedBytesPerReady())
            : List.of();
    Ready ready =
        new Ready(
            ++readyCounter,
            changed,
            entries,
            snapshot,
            msgs,
            committed,
            readStates,
            mustSync,
            membership,
            membershipIndex,
            snapshotPeers);
    msgs.clear();
    readStates.clear();
    prevHardState = hs;
    outstanding = ready;
    return ready;
  }

  /**
   * The driver handled {@code handled}: its snapshot and its entries still in the log with the same
   * term become stable.
   *
   * @throws IllegalStateException if {@code handled} is not the outstanding Ready
   */
  void advance(Ready handled) {
    if (outstanding == null || handled.id() != outstanding.id() || !handled.equals(outstanding)) {
      throw new IllegalStateException(
          "advance with Ready "
              + handled.id()
              + " but the outstanding Ready is "
              + (outstanding == null ? "none" : String.valueOf(outstanding.id())));
    }
    outstanding = null;
    handled.snapshot().ifPresent(meta -> log.unstable().stableSnapshot(meta));
    List<LogEntry> entries = handled.entries();
    for (int i = entries.size() - 1; i >= 0; i--) {
      LogEntry e = entries.get(i);
      if (log.unstable().stableTo(e.index(), e.term())) {
        break;
      }
    }
  }
}
