package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.NodeId;
import java.util.Map;
import java.util.Optional;

/**
 * Assembles a core's {@link RaftStatus}: the full status, its shape (the part that changes with
 * role, term, leader, configuration and the followers' replication states) and its fast-changing
 * indexes. The full status is the same object while nothing in it changed (a leader hands out the
 * same peers map while no progress changed), so an idle node builds none and the driver can skip
 * status events by identity. Not thread-safe: owned by one {@link RaftCore}, which passes in its
 * role, term, leader and leader state ({@code null} off a leader) on every call.
 */
final class CoreStatus {

  private final NodeId id;
  private final RaftLog log;
  private final ReadyProtocol readies;
  private final Configurations configurations;

  private RaftStatus last;
  // The peers map the last status was built from (the status holds a sorted copy).
  private Map<NodeId, RaftStatus.PeerStatus> lastPeers;
  // What shape() returned last, or null.
  private RaftStatus shape;

  CoreStatus(NodeId id, RaftLog log, ReadyProtocol readies, Configurations configurations) {
    this.id = id;
    this.log = log;
    this.readies = readies;
    this.configurations = configurations;
  }

  /** See {@link RaftCore#status()}. */
  RaftStatus full(Role role, long term, Optional<NodeId> leaderId, Leader leader) {
    Map<NodeId, RaftStatus.PeerStatus> peers = leader != null ? leader.peerStatus() : Map.of();
    RaftStatus s = last;
    if (s != null
        && peers == lastPeers
        && s.role() == role
        && s.term() == term
        && s.leader().equals(leaderId)
        && s.commitIndex() == log.committed()
        && s.appliedIndex() == readies.applied()
        && s.firstIndex() == log.firstIndex()
        && s.lastIndex() == log.lastIndex()
        && s.snapshotIndex() == snapshotIndex()
        && s.membership() == configurations.current()
        && s.membershipIndex() == configurations.index()) {
      return s;
    }
    lastPeers = peers;
    last =
        new RaftStatus(
            id,
            role,
            term,
            leaderId,
            log.committed(),
            readies.applied(),
            log.firstIndex(),
            log.lastIndex(),
            snapshotIndex(),
            configurations.current(),
            configurations.index(),
            peers);
    return last;
  }

  /** See {@link RaftCore#statusShape()}. */
  RaftStatus shape(Role role, long term, Optional<NodeId> leaderId, Leader leader) {
    RaftStatus s = shape;
    if (s == null
        || s.role() != role
        || s.term() != term
        || !s.leader().equals(leaderId)
        || s.membership() != configurations.current()
        || s.membershipIndex() != configurations.index()
        || !(leader != null ? leader.peerShapeUnchanged(s.peers()) : s.peers().isEmpty())) {
      s = full(role, term, leaderId, leader);
      shape = s;
    }
    return s;
  }

  /** See {@link RaftCore#statusIndexes(long[])}. */
  boolean indexes(long[] into, Role role, long term, Optional<NodeId> leaderId, Leader leader) {
    RaftStatus s = shape(role, term, leaderId, leader);
    if (!StatusIndexes.fits(into, s)) {
      throw new IllegalArgumentException("the indexes do not fit the status shape");
    }
    boolean changed = StatusIndexes.set(into, StatusIndexes.COMMIT, log.committed());
    changed |= StatusIndexes.set(into, StatusIndexes.APPLIED, readies.applied());
    changed |= StatusIndexes.set(into, StatusIndexes.FIRST, log.firstIndex());
    changed |= StatusIndexes.set(into, StatusIndexes.LAST, log.lastIndex());
    changed |= StatusIndexes.set(into, StatusIndexes.SNAPSHOT, snapshotIndex());
    if (leader != null) {
      changed |= leader.peerIndexes(into, StatusIndexes.PEERS);
    }
    return changed;
  }

  /** Checks that the shape and its indexes add up to the full status. */
  void assertConsistent(Role role, long term, Optional<NodeId> leaderId, Leader leader) {
    RaftStatus s = shape(role, term, leaderId, leader);
    long[] indexes = StatusIndexes.forShape(s);
    indexes(indexes, role, term, leaderId, leader);
    Check.state(
        StatusIndexes.apply(s, indexes).equals(full(role, term, leaderId, leader)),
        "the status shape and its indexes do not add up to the status");
  }

  private long snapshotIndex() {
    return Math.max(log.firstIndex() - 1, configurations.snapshotIndex());
  }
}
