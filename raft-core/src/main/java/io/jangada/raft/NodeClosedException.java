package io.jangada.raft;

/** The node was closed (or never started), so it no longer accepts or completes requests. */
public final class NodeClosedException extends RaftException {

  public NodeClosedException(String message) {
    super(message);
  }
}
