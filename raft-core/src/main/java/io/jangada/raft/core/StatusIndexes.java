package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.RaftStatus.PeerStatus;
import io.jangada.raft.model.NodeId;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fast-changing indexes of a {@link RaftStatus} as {@link RaftCore#statusIndexes} writes them
 * into a {@code long[]}: the commit index changes with almost every input under load, and a driver
 * that publishes the status after every batch keeps them here instead of rebuilding the status
 * (with its sorted peers map) each time. Slots {@link #COMMIT} to {@link #SNAPSHOT}, then each
 * peer's match and next index in the id order of the shape's {@link RaftStatus#peers()}.
 *
 * <p>Stateless; any thread.
 */
public final class StatusIndexes {

  /** {@link RaftStatus#commitIndex()}. */
  public static final int COMMIT = 0;

  /** {@link RaftStatus#appliedIndex()}. */
  public static final int APPLIED = 1;

  /** {@link RaftStatus#firstIndex()}. */
  public static final int FIRST = 2;

  /** {@link RaftStatus#lastIndex()}. */
  public static final int LAST = 3;

  /** {@link RaftStatus#snapshotIndex()}. */
  public static final int SNAPSHOT = 4;

  // The first peer's match index; its next index follows, then the next peer's.
  static final int PEERS = 5;

  private StatusIndexes() {}

  /** An array that fits the indexes of a status shaped like {@code shape}, all 0. */
  public static long[] forShape(RaftStatus shape) {
    return new long[PEERS + 2 * shape.peers().size()];
  }

  /** Whether {@code indexes} has the slots of a status shaped like {@code shape}. */
  public static boolean fits(long[] indexes, RaftStatus shape) {
    return indexes.length == PEERS + 2 * shape.peers().size();
  }

  /**
   * {@code shape}'s peers (id order, replication state, activity) with the match and next indexes
   * of {@code indexes}.
   *
   * @throws IllegalArgumentException if {@code indexes} does not {@link #fits fit} {@code shape}
   */
  public static Map<NodeId, PeerStatus> peers(RaftStatus shape, long[] indexes) {
    if (!fits(indexes, shape)) {
      throw new IllegalArgumentException(
          indexes.length + " indexes do not fit " + shape.peers().size() + " peers");
    }
    if (shape.peers().isEmpty()) {
      return Map.of();
    }
    Map<NodeId, PeerStatus> peers = new TreeMap<>();
    int i = PEERS;
    for (Map.Entry<NodeId, PeerStatus> e : shape.peers().entrySet()) {
      PeerStatus p = e.getValue();
      peers.put(
          e.getKey(), new PeerStatus(indexes[i], indexes[i + 1], p.state(), p.recentlyActive()));
      i += 2;
    }
    return peers;
  }

  /**
   * The status {@code shape} with the indexes of {@code indexes}: what {@link RaftCore#status()}
   * returned at the time {@link RaftCore#statusIndexes} wrote them, if {@link
   * RaftCore#statusShape()} returned {@code shape} then.
   *
   * @throws IllegalArgumentException if {@code indexes} does not {@link #fits fit} {@code shape}
   */
  public static RaftStatus apply(RaftStatus shape, long[] indexes) {
    return new RaftStatus(
        shape.id(),
        shape.role(),
        shape.term(),
        shape.leader(),
        indexes[COMMIT],
        indexes[APPLIED],
        indexes[FIRST],
        indexes[LAST],
        indexes[SNAPSHOT],
        shape.membership(),
        shape.membershipIndex(),
        peers(shape, indexes),
        shape.state(),
        shape.failure(),
        shape.problems());
  }

  /** The indexes of {@code status}, as {@link RaftCore#statusIndexes} would write them. */
  public static long[] of(RaftStatus status) {
    long[] indexes = forShape(status);
    indexes[COMMIT] = status.commitIndex();
    indexes[APPLIED] = status.appliedIndex();
    indexes[FIRST] = status.firstIndex();
    indexes[LAST] = status.lastIndex();
    indexes[SNAPSHOT] = status.snapshotIndex();
    int i = PEERS;
    for (PeerStatus p : status.peers().values()) {
      indexes[i] = p.matchIndex();
      indexes[i + 1] = p.nextIndex();
      i += 2;
    }
    return indexes;
  }

  /** Sets {@code indexes[slot]} to {@code value}; whether it differed. */
  static boolean set(long[] indexes, int slot, long value) {
    if (indexes[slot] == value) {
      return false;
    }
    indexes[slot] = value;
    return true;
  }
}
