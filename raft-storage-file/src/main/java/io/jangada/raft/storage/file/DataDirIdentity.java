package io.jangada.raft.storage.file;

import io.jangada.raft.model.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Whose data a {@link FileStorage} directory holds: the cluster and the node. Recorded in the
 * directory when it is first opened; opening it later under another identity fails, so a node never
 * starts (and votes) with another node's term, vote and log, nor joins a cluster it does not belong
 * to with data from another one.
 *
 * @param clusterId the cluster's id, the same on every node (for example the one given to the
 *     transport); 1 to 255 UTF-8 bytes
 * @param nodeId this node's id
 */
public record DataDirIdentity(String clusterId, NodeId nodeId) {

  /**
   * @throws IllegalArgumentException if {@code clusterId} is blank or longer than 255 bytes
   * @throws NullPointerException if an argument is null
   */
  public DataDirIdentity {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(nodeId, "nodeId");
    int bytes = clusterId.getBytes(StandardCharsets.UTF_8).length;
    if (clusterId.isBlank() || bytes > 255) {
      throw new IllegalArgumentException(
          "clusterId must be 1 to 255 UTF-8 bytes and not blank, got \"" + clusterId + "\"");
    }
  }

  /** Shorthand for {@code new DataDirIdentity(clusterId, NodeId.of(nodeId))}. */
  public static DataDirIdentity of(String clusterId, String nodeId) {
    return new DataDirIdentity(clusterId, NodeId.of(nodeId));
  }

  @Override
  public String toString() {
    return "node " + nodeId + " of cluster " + clusterId;
  }
}
