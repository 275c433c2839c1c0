package io.jangada.raft.core;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.ImmutableArray;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The core's side of the Ready protocol: builds each {@link Ready} from the core's pending output
 * and the log's unstable part, marking what it hands out so the next Ready does not repeat it;
 * several may be outstanding (being written) at once. {@link #advance} takes them back in order,
 * once each is durable, and only then marks its entries and snapshot stable.
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
  // The hard state of the newest Ready the driver reported durable (or the one at open).
  private HardState durableHardState;
  private long readyCounter;
  // Invariant: applied <= applying <= commit. applying: the last committed index handed out in a
  // Ready; applied: the last one of a Ready the driver advanced (or a restored snapshot's).
  private long applied;
  private long applying;
  // Handed out and not advanced yet, oldest first.
  private final ArrayDeque<Ready> outstanding = new ArrayDeque<>();

  /**
   * Hands out the core's {@code msgs} and {@code readStates} (emptied at each Ready); {@code
   * stored} is the hard state as of open, which is not worth a write by itself; committed entries
   * after {@code applied} are handed out for applying.
   */
  ReadyProtocol(
      RaftLog log,
      RaftConfig config,
      List<Message> msgs,
      List<ReadState> readStates,
      HardState stored,
      long applied) {
    this.log = log;
    this.config = config;
    this.msgs = msgs;
    this.readStates = readStates;
    this.prevHardState = stored;
    this.durableHardState = stored;
    this.applied = applied;
    this.applying = applied;
  }

  /** The last committed index of a Ready the driver advanced (or of a restored snapshot). */
  long applied() {
    return applied;
  }

  /** A snapshot up to {@code index} replaced the state machine: applied and handed out up to it. */
  void restored(long index) {
    applied = index;
    applying = index;
  }

  void assertInvariants() {
    Check.state(applied <= applying, "applied " + applied + " > applying " + applying);
    Check.state(applying <= log.committed(), "applying " + applying + " > commit");
  }

  /** How many Readys were handed out and not advanced yet. */
  int outstanding() {
    return outstanding.size();
  }

  /** The term of the newest hard state the driver reported durable. */
  long durableTerm() {
    return durableHardState.term();
  }

  /** The hard state handed out last. */
  HardState previousHardState() {
    return prevHardState;
  }

  /**
   * Whether there is something to hand out, with {@code term}, {@code votedFor} and {@code commit}
   * the core's hard state now (passed apart: no HardState is built for a check).
   */
  boolean has(long term, Optional<NodeId> votedFor, long commit) {
    return term != prevHardState.term()
        || commit != prevHardState.commit()
        || !votedFor.equals(prevHardState.votedFor())
        || log.unstable().hasSnapshotNotHandedOut()
        || log.unstable().hasNotHandedOut()
        || !msgs.isEmpty()
        || !readStates.isEmpty()
        || applying < log.committed();
  }

  /**
   * The next Ready, once {@link #has} said there is something to hand out; {@code snapshotPeers}
   * are the followers a leader must send a snapshot ({@link Ready}); {@code leader} whether this
   * node leads.
   */
  Ready take(
      HardState hs,
      Membership membership,
      long membershipIndex,
      Map<NodeId, Long> snapshotPeers,
      boolean leader) {
    Optional<HardState> changed = hs.equals(prevHardState) ? Optional.empty() : Optional.of(hs);
    boolean mustSync =
        hs.term() != prevHardState.term() || !hs.votedFor().equals(prevHardState.votedFor());
    Optional<SnapshotMeta> snapshot = log.unstable().takeSnapshotNotHandedOut();
    List<LogEntry> entries = log.unstable().takeNotHandedOut();
    mustSync |= !entries.isEmpty() || snapshot.isPresent();
    List<LogEntry> committed =
        applying < log.committed()
            ? log.entries(applying + 1, log.committed() + 1, config.maxCommittedBytesPerReady())
            : ImmutableArray.of();
    // A leader's AppendRequests and Heartbeats carry its term: they may leave before this Ready is
    // durable only if that term is durable already, through an earlier Ready (a node that lost an
    // undurable term could win the same term again with another log).
    boolean leaderTermDurable =
        leader
            && hs.term() == durableHardState.term()
            && hs.votedFor().equals(durableHardState.votedFor());
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
            snapshotPeers,
            leaderTermDurable);
    msgs.clear();
    readStates.clear();
    prevHardState = hs;
    if (!committed.isEmpty()) {
      applying = committed.get(committed.size() - 1).index();
    }
    outstanding.addLast(ready);
    return ready;
  }

  /**
   * The driver made {@code handled} durable (and every earlier Ready): its hard state, its snapshot
   * and its entries still in the log with the same term become stable.
   *
   * @throws IllegalStateException if {@code handled} is not the oldest outstanding Ready
   */
  void advance(Ready handled) {
    Ready oldest = outstanding.peekFirst();
    if (handled != oldest) {
      throw new IllegalStateException(
          "advance with Ready "
              + handled.id()
              + " but the oldest outstanding Ready is "
              + (oldest == null ? "none" : String.valueOf(oldest.id()))
              + " (Readys are advanced in order, once durable)");
    }
    outstanding.removeFirst();
    handled.hardState().ifPresent(hs -> durableHardState = hs);
    handled.snapshot().ifPresent(meta -> log.unstable().stableSnapshot(meta));
    if (!handled.committed().isEmpty()) {
      applied = Math.max(applied, handled.committed().get(handled.committed().size() - 1).index());
    }
    List<LogEntry> entries = handled.entries();
    for (int i = entries.size() - 1; i >= 0; i--) {
      LogEntry e = entries.get(i);
      if (log.unstable().stableTo(e.index(), e.term())) {
        break;
      }
    }
  }
}
