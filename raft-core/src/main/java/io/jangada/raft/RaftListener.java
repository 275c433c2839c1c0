package io.jangada.raft;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.Optional;

/**
 * Events of one node that operators watch and alert on. Every method has a no-op default, so
 * implement only what you need. A node takes any number of listeners ({@link
 * RaftNode.Builder#listener}, {@link RaftNode#addListener}); each gets every event.
 *
 * <p>Thread: called from the node's own threads (the loop for role, leader, commit, election,
 * follower and failure events; the apply and snapshot threads for snapshots taken or installed; the
 * loop for snapshots sent). With the default {@link Scheduler} the loop's work runs on the thread
 * that hands it work while the loop is idle (a transport thread delivering a message, the log
 * writer, the timer), so "the loop" may be one of those threads; calls are never concurrent. Must
 * be fast, must not block, must not throw (exceptions are logged and ignored) and must not call
 * back into the node synchronously. No event is per request.
 */
public interface RaftListener {

  /** This node's role changed. */
  default void onRoleChange(NodeId self, Role role, long term) {}

  /** The leader this node knows changed (empty: no leader known). */
  default void onLeaderChange(NodeId self, Optional<NodeId> leader, long term) {}

  /** The commit index advanced. Called at most once per batch of work, not per entry. */
  default void onCommit(NodeId self, long commitIndex) {}

  /**
   * The configuration in force changed: an entry with a new configuration was appended (it takes
   * effect then, before it commits; thesis §4.1), a snapshot with one was installed, or an
   * uncommitted one was truncated away. {@code index} is the index of its log entry (0 for the
   * configuration the node was built with). Also called once at start with the configuration
   * recovered from storage. Thread: the node's loop.
   */
  default void onMembershipChange(NodeId self, Membership membership, long index) {}

  /** A snapshot was taken or installed (before {@link #onSnapshotTaken} / Installed). */
  default void onSnapshot(NodeId self, SnapshotMeta meta) {}

  /**
   * This node started an election for {@code term}: {@code preVote} when it only probes with
   * PreVote (the term does not change yet), otherwise a real campaign.
   */
  default void onElectionStarted(NodeId self, long term, boolean preVote) {}

  /** This node won the election for {@code term} and leads it. */
  default void onElectionWon(NodeId self, long term) {}

  /**
   * This node's campaign ended without winning: another node leads, or it went back to following (a
   * split vote retries later with a new {@link #onElectionStarted}).
   */
  default void onElectionLost(NodeId self, long term) {}

  /**
   * This node captured its state machine and made the snapshot durable; {@code nanos} is the time
   * from capture to durable.
   */
  default void onSnapshotTaken(NodeId self, SnapshotMeta meta, long nanos) {}

  /**
   * This node replaced its state machine's state by a snapshot received from the leader; {@code
   * nanos} is the time the state machine's {@code restore} took.
   */
  default void onSnapshotInstalled(NodeId self, SnapshotMeta meta, long nanos) {}

  /** This leader delivered the snapshot at {@code snapshotIndex} to {@code peer}. */
  default void onSnapshotSent(NodeId self, NodeId peer, long snapshotIndex) {}

  /**
   * This leader has heard nothing from {@code peer} for an election timeout ({@code reachable}
   * false), or hears from it again ({@code reachable} true).
   */
  default void onFollowerReachability(NodeId self, NodeId peer, boolean reachable) {}

  /**
   * This leader can no longer catch {@code peer} up from its log and must send it a snapshot
   * ({@code slow} true), or the follower caught up again ({@code slow} false).
   */
  default void onFollowerSlow(NodeId self, NodeId peer, boolean slow) {}

  /**
   * A storage or state-machine failure stopped this node: it serves nothing more and must be
   * restarted after the cause is fixed. {@code what} says which part failed.
   */
  default void onFailure(NodeId self, String what, Throwable cause) {}
}
