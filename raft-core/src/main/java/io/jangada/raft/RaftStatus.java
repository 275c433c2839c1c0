package io.jangada.raft;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of a node's state, safe to read from any thread.
 *
 * @param id this node
 * @param role its role
 * @param term its current term
 * @param leader the leader it knows for {@code term}, if any
 * @param commitIndex the highest index known committed
 * @param appliedIndex the highest index applied to the state machine (handed to it, in the core)
 * @param firstIndex the first index still in the log
 * @param lastIndex the last index in the log
 * @param snapshotIndex the index of the newest snapshot, 0 if none
 * @param membership the configuration in force (thesis §4.1: the newest in the log, committed or
 *     not; it may be joint while a change between two sets of voters is in progress)
 * @param membershipIndex the index of the log entry {@code membership} comes from; 0 if it is the
 *     configuration the node was started with. The configuration is committed iff {@code
 *     membershipIndex <= commitIndex}. A change made with a compare-and-set names this index.
 * @param peers for a leader, the replication progress of every other member in id order; empty
 *     otherwise
 */
public record RaftStatus(
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
    Map<NodeId, PeerStatus> peers) {

  public RaftStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(leader, "leader");
    Objects.requireNonNull(membership, "membership");
    peers = Collections.unmodifiableMap(new TreeMap<>(peers));
  }

  /** Whether this node is the leader. */
  public boolean isLeader() {
    return role == Role.LEADER;
  }

  /**
   * Every member of the configuration in force and its role in it, in id order (also the outgoing
   * voters of a joint configuration).
   */
  public Map<NodeId, MemberRole> members() {
    Map<NodeId, MemberRole> roles = new TreeMap<>();
    for (NodeId learner : membership.learners()) {
      roles.put(learner, MemberRole.LEARNER);
    }
    for (NodeId voter : membership.outgoingVoters()) {
      roles.put(voter, MemberRole.LEAVING_VOTER);
    }
    for (NodeId voter : membership.voters()) {
      boolean joining = membership.isJoint() && !membership.outgoingVoters().contains(voter);
      roles.put(voter, joining ? MemberRole.JOINING_VOTER : MemberRole.VOTER);
    }
    return Collections.unmodifiableMap(roles);
  }

  /** A member's role in a configuration. */
  public enum MemberRole {
    /** Votes and counts toward quorums (in both halves of a joint configuration). */
    VOTER,
    /** Receives the log but does not vote. */
    LEARNER,
    /** Becomes a voter when the joint configuration is left; already counts in its new half. */
    JOINING_VOTER,
    /** Leaves the voters when the joint configuration is left; still counts in its old half. */
    LEAVING_VOTER
  }

  /**
   * A leader's view of one follower's replication.
   *
   * @param matchIndex the highest index known to be replicated on the follower
   * @param nextIndex the next index to send
   * @param state how the leader replicates to it: {@code probe}, {@code replicate} or {@code
   *     snapshot}
   * @param recentlyActive whether the follower answered within the last election timeout
   */
  public record PeerStatus(long matchIndex, long nextIndex, String state, boolean recentlyActive) {}
}
