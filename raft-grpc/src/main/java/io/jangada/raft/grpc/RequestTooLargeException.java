package io.jangada.raft.grpc;

/** The command or query exceeds the client's or the node's size limit; nothing was applied. */
public final class RequestTooLargeException extends RaftClientException {

  private static final long serialVersionUID = 1L;

  public RequestTooLargeException(String message) {
    super(message);
  }
}
