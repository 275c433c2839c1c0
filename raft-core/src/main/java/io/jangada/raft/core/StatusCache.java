package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Map;
import java.util.Optional;

/**
 * The last {@link RaftStatus} a core handed out. The driver reads the status after every batch of
 * inputs; this hands out the same object while nothing in it changed (a leader hands out the same
 * peers map while no progress changed), so an idle or steady node builds no status and the driver
 * can skip status events by identity. Not thread-safe: owned by one {@link RaftCore}.
 */
final class StatusCache {

  private RaftStatus last;
  // The peers map the last status was built from (the status holds a sorted copy).
  private Map<NodeId, RaftStatus.PeerStatus> lastPeers;

  RaftStatus get(
      NodeId id,
      Role role,
      long term,
      Optional<NodeId> leader,
      long commitIndex,
      long appliedIndex,
      long firstIndex,
      long lastIndex,
      long snapshotIndex,
      Membership membership,
      long membershipIndex,
      Map<NodeId, RaftStatus.PeerStatus> peers) {
    RaftStatus s = last;
    if (s != null
        && peers == lastPeers
        && s.role() == role
        && s.term() == term
        && s.leader().equals(leader)
        && s.commitIndex() == commitIndex
        && s.appliedIndex() == appliedIndex
        && s.firstIndex() == firstIndex
        && s.lastIndex() == lastIndex
        && s.snapshotIndex() == snapshotIndex
        && s.membership() == membership
        && s.membershipIndex() == membershipIndex) {
      return s;
    }
    lastPeers = peers;
    last =
        new RaftStatus(
            id,
            role,
            term,
            leader,
            commitIndex,
            appliedIndex,
            firstIndex,
            lastIndex,
            snapshotIndex,
            membership,
            membershipIndex,
            peers);
    return last;
  }
}
