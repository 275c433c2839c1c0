package io.jangada.raft.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.jangada.raft.grpc.proto.ClientReply;

/**
 * The reply side of one {@code SubmitStream} call on the server: replies are written one at a time
 * (a stream's observer is not thread-safe, and they come from whichever thread completes the node's
 * future), in completion order. The stream ends once the client half-closed it and every request
 * was answered; replies after the client cancelled are dropped.
 *
 * <p>Flow control: replies are written without waiting for the stream to be ready. The client
 * bounds what it has in flight (one reply per request it sent), so what is buffered here is bounded
 * by the requests it sent and gRPC's inbound flow control bounds those.
 *
 * <p>Thread-safe; never blocks beyond the short lock around one write into gRPC's buffer.
 */
final class SubmitStreamReplies {

  private final ServerCallStreamObserver<ClientReply> out;
  private int unanswered; // guarded by this
  private boolean halfClosed; // guarded by this
  private boolean finished; // guarded by this

  SubmitStreamReplies(ServerCallStreamObserver<ClientReply> out) {
    this.out = out;
    // Set before the first reply: without a handler, a reply after a cancel would throw.
    out.setOnCancelHandler(this::cancelled);
  }

  /** A request arrived; its reply will follow through {@link #send}. */
  synchronized void started() {
    unanswered++;
  }

  /** Sends the reply of one request started before. */
  synchronized void send(ClientReply reply) {
    if (finished) {
      return;
    }
    unanswered--;
    out.onNext(reply);
    if (halfClosed && unanswered == 0) {
      finish();
    }
  }

  /** The client sends no more requests: end the stream after the last reply. */
  synchronized void halfClosed() {
    halfClosed = true;
    if (!finished && unanswered == 0) {
      finish();
    }
  }

  /** The client cancelled the stream (or the connection broke): drop what is left. */
  synchronized void cancelled() {
    finished = true;
  }

  private void finish() {
    finished = true;
    out.onCompleted();
  }
}
