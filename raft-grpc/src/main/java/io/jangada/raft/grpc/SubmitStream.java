package io.jangada.raft.grpc;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jangada.raft.grpc.proto.ClientReply;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc;
import io.jangada.raft.grpc.proto.SubmitRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client side of one {@code SubmitStream} call to one node: {@link RaftClient} sends the
 * submissions for that node on it, each with a call id unique on the stream, and matches the
 * replies (in completion order) back by id. One stream per node replaces a unary call per command:
 * no HTTP/2 stream, headers, trailers or deadline timer per command.
 *
 * <p>Per-call timeouts are not gRPC deadlines here (the stream has none): {@link #expire} fails the
 * calls whose time is up; the client runs it periodically. When the stream fails, every call still
 * waiting on it fails with the stream's status, and the stream takes no more calls (the client
 * opens a new one).
 *
 * <p>Thread-safe: {@link #send} from any thread (writes are serialized by a short lock; the write
 * goes into gRPC's buffer and Netty's event loop sends it), replies and failures arrive on gRPC's
 * network thread (the channel has a direct executor).
 */
final class SubmitStream {

  /** What a call learns: its reply, or that it failed. Called once, on any thread. */
  interface Call {
    void onReply(ClientReply reply);

    /**
     * The call failed without a reply: the stream broke ({@code status}), or its time was up
     * ({@code DEADLINE_EXCEEDED}). {@code maybeProcessed} is false only if the node cannot have
     * seen the request (the stream never got to the node).
     */
    void onFailure(Status status, boolean maybeProcessed);
  }

  private record Waiting(Call call, long deadlineNanos) {}

  private final ClientCallStreamObserver<SubmitRequest> requests;
  private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();
  private long nextCallId; // guarded by this
  private boolean broken; // guarded by this
  private volatile boolean answered; // a reply arrived: the stream reached the node

  private SubmitStream(Channel channel) {
    Replies replies = new Replies();
    this.requests =
        (ClientCallStreamObserver<SubmitRequest>)
            RaftClientServiceGrpc.newStub(channel).submitStream(replies);
  }

  /** Opens a stream on {@code channel}. */
  static SubmitStream open(Channel channel) {
    return new SubmitStream(channel);
  }

  /**
   * Sends {@code request} (its call id is set here) for {@code call}, which must hear back by
   * {@code deadlineNanos} ({@link System#nanoTime} scale). Returns false, sending nothing, if the
   * stream is broken: open a new one.
   */
  synchronized boolean send(SubmitRequest.Builder request, Call call, long deadlineNanos) {
    if (broken) {
      return false;
    }
    long id = ++nextCallId;
    waiting.put(id, new Waiting(call, deadlineNanos));
    requests.onNext(request.setCallId(id).build());
    return true;
  }

  /** Whether the stream failed or was closed (it takes no more calls). */
  synchronized boolean isBroken() {
    return broken;
  }

  /** Fails the calls whose deadline passed by {@code nowNanos} with DEADLINE_EXCEEDED. */
  void expire(long nowNanos) {
    for (Map.Entry<Long, Waiting> e : waiting.entrySet()) {
      if (e.getValue().deadlineNanos() - nowNanos <= 0 && waiting.remove(e.getKey()) != null) {
        e.getValue()
            .call()
            .onFailure(
                Status.DEADLINE_EXCEEDED.withDescription("no answer within the attempt timeout"),
                true);
      }
    }
  }

  /** Cancels the stream; calls still waiting fail with CANCELLED. */
  void cancel(String why) {
    synchronized (this) {
      if (broken) {
        return;
      }
    }
    requests.cancel(why, null);
    failAll(Status.CANCELLED.withDescription(why));
  }

  private void failAll(Status status) {
    List<Waiting> failed;
    synchronized (this) {
      broken = true;
      failed = new ArrayList<>(waiting.values());
      waiting.clear();
    }
    // A connection that never reached the node (refused, unresolvable) cannot have delivered
    // anything; once a reply came back, any waiting request may have been processed.
    // UNIMPLEMENTED: the node does not serve the method (an older version), nothing was processed.
    boolean maybeProcessed =
        answered
            || (status.getCode() != Status.Code.UNAVAILABLE
                && status.getCode() != Status.Code.UNIMPLEMENTED);
    for (Waiting w : failed) {
      w.call().onFailure(status, maybeProcessed);
    }
  }

  /** The reply side: matches replies to calls by id. */
  private final class Replies implements ClientResponseObserver<SubmitRequest, ClientReply> {
    @Override
    public void beforeStart(ClientCallStreamObserver<SubmitRequest> stream) {}

    @Override
    public void onNext(ClientReply reply) {
      answered = true;
      Waiting w = waiting.remove(reply.getCallId());
      if (w != null) { // else: its time was up already, or an unknown id (ignored)
        w.call().onReply(reply);
      }
    }

    @Override
    public void onError(Throwable t) {
      failAll(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      failAll(Status.UNAVAILABLE.withDescription("the node ended the stream"));
    }
  }
}
