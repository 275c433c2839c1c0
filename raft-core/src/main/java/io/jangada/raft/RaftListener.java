package io.jangada.raft;

import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.Optional;

/**
 * Observability hooks. Every method has a no-op default, so implement only what you need.
 *
 * <p>Thread: called from the node's own threads (the loop for role, leader and commit events; the
 * apply thread for snapshots). Must be fast, must not throw (exceptions are logged and ignored) and
 * must not call back into the node synchronously.
 */
public interface RaftListener {

  /** This node's role changed. */
  default void onRoleChange(NodeId self, Role role, long term) {}

  /** The leader this node knows changed (empty: no leader known). */
  default void onLeaderChange(NodeId self, Optional<NodeId> leader, long term) {}

  /** The commit index advanced. */
  default void onCommit(NodeId self, long commitIndex) {}

  /** A snapshot was taken or installed. */
  default void onSnapshot(NodeId self, SnapshotMeta meta) {}
}
