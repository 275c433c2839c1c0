package io.jangada.raft.internal;

import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftMetrics;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.RaftStatus.PeerStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans a node's events out to its {@link RaftListener}s and {@link RaftMetrics} hooks, isolating
 * the node from their exceptions, and logs role and leader changes at INFO (one line each).
 *
 * <p>Registration is copy-on-write (any thread); delivery reads one volatile array, so a node
 * without hooks pays a single array-length check per hot-path event and never reads the clock.
 */
public final class NodeEvents {

  private static final Logger log = LoggerFactory.getLogger("io.jangada.raft.RaftNode");
  private static final String SNAPSHOT = "snapshot";

  private final NodeId id;
  // Loop thread only: the tick each follower was last seen active, and those reported unreachable.
  private final Map<NodeId, Long> lastActive = new java.util.HashMap<>();
  private final java.util.Set<NodeId> unreachable = new java.util.HashSet<>();
  private volatile RaftListener[] listeners = new RaftListener[0];
  private volatile RaftMetrics[] metrics = new RaftMetrics[0];

  public NodeEvents(NodeId id, List<RaftListener> listeners, List<RaftMetrics> metrics) {
    this.id = id;
    listeners.forEach(this::addListener);
    metrics.forEach(this::addMetrics);
  }

  /** Adds a listener. Any thread. */
  public synchronized void addListener(RaftListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners = with(listeners, listener);
  }

  /** Removes a listener (the first registration equal to it); returns whether it was there. */
  public synchronized boolean removeListener(RaftListener listener) {
    RaftListener[] before = listeners;
    listeners = without(before, listener);
    return listeners != before;
  }

  /** Adds metrics hooks. Any thread. */
  public synchronized void addMetrics(RaftMetrics hooks) {
    Objects.requireNonNull(hooks, "metrics");
    metrics = with(metrics, hooks);
  }

  /** Removes metrics hooks; returns whether they were there. */
  public synchronized boolean removeMetrics(RaftMetrics hooks) {
    RaftMetrics[] before = metrics;
    metrics = without(before, hooks);
    return metrics != before;
  }

  /** Whether any metrics hooks are registered: callers skip reading the clock otherwise. */
  boolean timed() {
    return metrics.length > 0;
  }

  // ---- status transitions (loop) ----

  /**
   * Reports what changed between two published statuses: their shapes ({@code previous == next}
   * when only indexes changed; see {@code RaftCore.statusShape}) and commit indexes. Loop thread.
   */
  void statusChanged(RaftStatus previous, RaftStatus next, long previousCommit, long commit) {
    if (previous != next) {
      roleAndLeaderEvents(previous, next);
    }
    if (commit > previousCommit) {
      listen(l -> l.onCommit(id, commit));
    }
    if (previous != next && next.role() == Role.LEADER) {
      followerEvents(previous, next);
    }
  }

  private void roleAndLeaderEvents(RaftStatus previous, RaftStatus next) {
    if (previous.role() != next.role()) {
      Role role = next.role();
      long term = next.term();
      listen(l -> l.onRoleChange(id, role, term));
      electionEvents(previous, next);
      log.info("node {} is now {} in term {}", id, next.role(), next.term());
    } else if (next.role() == Role.CANDIDATE && next.term() > previous.term()) {
      long term = next.term();
      listen(l -> l.onElectionStarted(id, term, false)); // a split vote: a new round
    }
    if (!previous.leader().equals(next.leader())) {
      listen(l -> l.onLeaderChange(id, next.leader(), next.term()));
      log.info(
          "node {} sees leader {} in term {}",
          id,
          next.leader().map(NodeId::value).orElse("none"),
          next.term());
    }
  }

  private void electionEvents(RaftStatus previous, RaftStatus next) {
    long term = next.term();
    Role from = previous.role();
    switch (next.role()) {
      case PRE_CANDIDATE:
        listen(l -> l.onElectionStarted(id, term + 1, true));
        break;
      case CANDIDATE:
        listen(l -> l.onElectionStarted(id, term, false));
        break;
      case LEADER:
        listen(l -> l.onElectionWon(id, term));
        break;
      default:
        if (from == Role.CANDIDATE || from == Role.PRE_CANDIDATE) {
          long lostTerm = from == Role.PRE_CANDIDATE ? previous.term() + 1 : previous.term();
          listen(l -> l.onElectionLost(id, Math.max(lostTerm, term)));
        }
        break;
    }
  }

  private void followerEvents(RaftStatus previous, RaftStatus next) {
    boolean sameReign = previous.role() == Role.LEADER && previous.term() == next.term();
    if (!sameReign) {
      lastActive.clear();
      unreachable.clear();
    }
    for (Map.Entry<NodeId, PeerStatus> e : next.peers().entrySet()) {
      NodeId peer = e.getKey();
      PeerStatus now = e.getValue();
      PeerStatus before = sameReign ? previous.peers().get(peer) : null;
      boolean wasSlow = before != null && before.state().equals(SNAPSHOT);
      boolean slow = now.state().equals(SNAPSHOT);
      if (wasSlow != slow) {
        if (slow) {
          log.info(
              "node {}: follower {} is behind the compacted log; sending a snapshot", id, peer);
        }
        listen(l -> l.onFollowerSlow(id, peer, slow));
      }
    }
  }

  /**
   * Once per tick on a leader: a follower not seen active for two election timeouts is reported
   * unreachable (the core clears its activity flag every election timeout, so one observation of
   * "inactive" is not enough), and reachable again once it is seen active. Loop thread.
   */
  void followerActivity(RaftStatus status, long tick, int electionTicks) {
    if (status.role() != Role.LEADER) {
      lastActive.clear();
      unreachable.clear();
      return;
    }
    for (Map.Entry<NodeId, PeerStatus> e : status.peers().entrySet()) {
      NodeId peer = e.getKey();
      if (e.getValue().recentlyActive() || !lastActive.containsKey(peer)) {
        lastActive.put(peer, tick);
        if (e.getValue().recentlyActive() && unreachable.remove(peer)) {
          log.info("node {}: follower {} is reachable again", id, peer);
          listen(l -> l.onFollowerReachability(id, peer, true));
        }
      } else if (tick - lastActive.get(peer) > 2L * electionTicks && unreachable.add(peer)) {
        log.warn("node {}: follower {} has not answered for two election timeouts", id, peer);
        listen(l -> l.onFollowerReachability(id, peer, false));
      }
    }
  }

  // ---- other events ----

  void snapshotTaken(SnapshotMeta meta, long nanos) {
    listen(
        l -> {
          l.onSnapshot(id, meta);
          l.onSnapshotTaken(id, meta, nanos);
        });
  }

  void snapshotInstalled(SnapshotMeta meta, long nanos) {
    listen(
        l -> {
          l.onSnapshot(id, meta);
          l.onSnapshotInstalled(id, meta, nanos);
        });
  }

  void snapshotSent(NodeId peer, long index) {
    listen(l -> l.onSnapshotSent(id, peer, index));
  }

  void membershipChanged(Membership membership, long index) {
    listen(l -> l.onMembershipChange(id, membership, index));
  }

  void failed(String what, Throwable cause) {
    listen(l -> l.onFailure(id, what, cause));
  }

  // ---- metrics hooks ----

  void proposalCommitted(long nanos) {
    measure(m -> m.proposalCommitted(id, nanos));
  }

  void proposalDropped(ProposalDroppedException.Reason reason) {
    if (metrics.length > 0) {
      measure(m -> m.proposalDropped(id, reason));
    }
  }

  void logSynced(long nanos, int entries, long bytes) {
    measure(m -> m.logSynced(id, nanos, entries, bytes));
  }

  void applied(long nanos, int entries) {
    measure(m -> m.applied(id, nanos, entries));
  }

  void readServed(long nanos) {
    measure(m -> m.readServed(id, nanos));
  }

  private void listen(Consumer<RaftListener> event) {
    for (RaftListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        log.warn("node {}: a RaftListener threw; ignored", id, e);
      }
    }
  }

  private void measure(Consumer<RaftMetrics> event) {
    for (RaftMetrics hooks : metrics) {
      try {
        event.accept(hooks);
      } catch (RuntimeException e) {
        log.debug("node {}: a RaftMetrics hook threw; ignored", id, e);
      }
    }
  }

  // Copy-on-write arrays: the node's threads read the fields without a lock.

  private static <T> T[] with(T[] array, T item) {
    T[] next = Arrays.copyOf(array, array.length + 1);
    next[array.length] = item;
    return next;
  }

  /** {@code array} without its first element equal to {@code item}; {@code array} if absent. */
  private static <T> T[] without(T[] array, T item) {
    for (int i = 0; i < array.length; i++) {
      if (array[i].equals(item)) {
        T[] next = Arrays.copyOf(array, array.length - 1);
        System.arraycopy(array, i + 1, next, i, array.length - i - 1);
        return next;
      }
    }
    return array;
  }
}
