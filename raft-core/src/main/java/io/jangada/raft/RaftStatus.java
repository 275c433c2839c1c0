package io.jangada.raft;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Collections;
import java.util.List;
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
 * @param state whether the node runs: {@link State#FAILED} after a storage or state-machine
 *     failure, when it serves nothing, reports the role {@link Role#FOLLOWER} with no leader, and
 *     sends no message
 * @param failure what stopped a {@link State#FAILED} node (the error's description); empty
 *     otherwise
 * @param problems configuration problems the node or its transport noticed while running, e.g.
 *     members its transport has no address for, or traffic rejected because it came from another
 *     cluster; empty when none. Human-readable, for operators; not a stable format
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
    Map<NodeId, PeerStatus> peers,
    State state,
    Optional<String> failure,
    List<String> problems) {

  public RaftStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(leader, "leader");
    Objects.requireNonNull(membership, "membership");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(failure, "failure");
    peers = Collections.unmodifiableMap(new TreeMap<>(peers));
    problems = List.copyOf(problems);
  }

  /** A running node's status without problems (what the consensus core reports). */
  public RaftStatus(
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
    this(
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
        peers,
        State.RUNNING,
        Optional.empty(),
        List.of());
  }

  /** Whether the node runs and serves requests (neither failed, closed, nor starting). */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** Where a node is in its life. */
  public enum State {
    /** Built, or starting: restoring its state; serves nothing yet. */
    STARTING,
    /** Serving: takes part in the cluster. */
    RUNNING,
    /**
     * Stopped by a storage or state-machine failure ({@link RaftStatus#failure()} says which):
     * every request fails fast, it sends nothing, the other nodes elect a leader without it. Close
     * it and investigate; restarting on the same storage is safe once the cause is fixed.
     */
    FAILED,
    /** Closed by its owner. */
    CLOSED
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
