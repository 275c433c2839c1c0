package io.jangada.raft.grpc;

/**
 * A node answered that it belongs to another cluster than the client's {@link
 * RaftClient.Builder#clusterId cluster id}: a configuration error (the client names the wrong
 * cluster, or the wrong addresses), which retrying cannot change. Nothing was applied. Arrives as
 * the cause of the future's failure, at once, without trying the other nodes.
 */
public final class WrongClusterException extends RaftClientException {

  private static final long serialVersionUID = 1L;

  public WrongClusterException(String message) {
    super(message);
  }
}
