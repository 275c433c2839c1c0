package io.jangada.raft.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.jangada.raft.grpc.proto.RaftTransportGrpc;
import io.jangada.raft.grpc.proto.StreamAck;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side: checks every frame of every inbound stream and hands valid messages to the
 * inbox. A whole frame is rejected (logged, rate-limited, and counted) when it cannot be parsed,
 * carries another cluster id, comes from a sender that {@link Senders} does not admit, or is empty;
 * a single message of a frame is rejected when it does not decode, its {@code from} differs from
 * the frame's sender, or it is addressed to another node. Rejected messages never reach the inbox
 * and never end the stream.
 *
 * <p>Frames of another cluster and frames from a sender that is not a configured peer are
 * configuration problems: they are also remembered for a minute and reported by {@link #problems()}
 * (so that a misconfigured node shows up in {@code RaftStatus.problems()} on both sides). Every
 * accepted frame tells the transport that its sender is alive ({@code onTraffic}), so that it can
 * reconnect to it at once instead of waiting out a backoff.
 *
 * <p>Thread-safety: gRPC calls a stream's observer serially (on the network thread that read the
 * frame, see {@link #DIRECT_FOR_RAFT_STREAM}), so messages of one stream reach the inbox in order;
 * different streams run concurrently.
 */
final class RaftGrpcService {

  private static final Logger log = LoggerFactory.getLogger(RaftGrpcService.class);

  private final NodeId self;
  private final String clusterId;
  private final Senders senders;
  private final Transport.Inbox inbox;
  private final AtomicLong rejected = new AtomicLong();
  private final RateLimitedLog rejections = new RateLimitedLog(log);
  private final RecentProblems problems =
      new RecentProblems(TimeUnit.MINUTES.toNanos(1), System::nanoTime);
  private final Consumer<String> onTraffic;
  private volatile boolean closed;
  private final GrpcTransportMetrics metrics;

  /**
   * Runs the calls of the Raft stream method directly on gRPC's network thread (their handler only
   * checks frames and hands messages to the inbox, which never blocks); other services' calls on
   * the server's executor.
   */
  static final ServerCallExecutorSupplier DIRECT_FOR_RAFT_STREAM =
      new ServerCallExecutorSupplier() {
        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
          return RaftTransportGrpc.getStreamMethod()
                  .getFullMethodName()
                  .equals(call.getMethodDescriptor().getFullMethodName())
              ? MoreExecutors.directExecutor()
              : null;
        }
      };

  /** Decides which senders' frames are accepted. */
  interface Senders {
    /**
     * Whether frames from {@code sender}, which announces {@code address} (empty if none), are
     * accepted. Called on gRPC threads for every frame; must be fast and must not throw.
     */
    boolean admit(String sender, String address);
  }

  RaftGrpcService(
      NodeId self,
      String clusterId,
      Senders senders,
      Transport.Inbox inbox,
      GrpcTransportMetrics metrics,
      Consumer<String> onTraffic) {
    this.self = self;
    this.metrics = metrics;
    this.clusterId = clusterId;
    this.senders = senders;
    this.inbox = inbox;
    this.onTraffic = onTraffic;
  }

  /** Configuration problems seen in the last minute; see {@code Transport.problems()}. */
  List<String> problems() {
    return problems.current();
  }

  /** The service, bound to the generated method name but with our non-throwing marshaller. */
  ServerServiceDefinition definition() {
    MethodDescriptor<InboundFrame, StreamAck> method =
        RaftTransportGrpc.getStreamMethod().toBuilder(
                InboundFrame.MARSHALLER, ProtoUtils.marshaller(StreamAck.getDefaultInstance()))
            .build();
    return ServerServiceDefinition.builder(RaftTransportGrpc.SERVICE_NAME)
        .addMethod(method, ServerCalls.asyncClientStreamingCall(this::open))
        .build();
  }

  /** Stops delivering; frames received from now on are dropped. */
  void close() {
    closed = true;
  }

  /** Frames and messages rejected so far (a frame rejected as a whole counts once). */
  long rejectedCount() {
    return rejected.get();
  }

  private StreamObserver<InboundFrame> open(StreamObserver<StreamAck> response) {
    return new StreamObserver<>() {
      @Override
      public void onNext(InboundFrame frame) {
        accept(frame);
      }

      @Override
      public void onError(Throwable t) {
        log.debug("{}: inbound stream ended: {}", self, t.toString());
      }

      @Override
      public void onCompleted() {
        response.onNext(StreamAck.getDefaultInstance());
        response.onCompleted();
      }
    };
  }

  /** Validates one frame and delivers its valid messages; package-private for tests. */
  void accept(InboundFrame frame) {
    if (closed) {
      // Closing forgets the peers first: frames still arriving would be rejected (and warned
      // about) as from unknown senders. They are dropped like any frame after close.
      return;
    }
    if (!frame.parsed()) {
      reject(
          GrpcTransportMetrics.RejectReason.MALFORMED_FRAME, "malformed frame: " + frame.error());
      return;
    }
    String sender = frame.sender();
    if (!clusterId.equals(frame.clusterId())) {
      String text =
          "rejected frames from '"
              + shorten(sender)
              + "' of cluster '"
              + shorten(frame.clusterId())
              + "': this node's cluster id is '"
              + clusterId
              + "'";
      problems.record("cluster:" + shorten(frame.clusterId()) + ":" + shorten(sender), text);
      reject(
          GrpcTransportMetrics.RejectReason.WRONG_CLUSTER,
          "frame for cluster '" + frame.clusterId() + "' (expected '" + clusterId + "')");
      return;
    }
    if (!senders.admit(sender, frame.senderAddress())) {
      problems.record(
          "sender:" + shorten(sender),
          "rejected frames from '" + shorten(sender) + "': not a configured peer of this node");
      reject(
          GrpcTransportMetrics.RejectReason.UNKNOWN_SENDER,
          "frame from unknown sender '" + sender + "'");
      return;
    }
    List<Object> messages = frame.messages();
    if (messages.isEmpty()) {
      reject(GrpcTransportMetrics.RejectReason.EMPTY_FRAME, "empty frame from " + sender);
      return;
    }
    try {
      onTraffic.accept(sender);
    } catch (RuntimeException e) {
      log.warn("{}: reacting to traffic from {} failed", self, sender, e);
    }
    for (int i = 0; i < messages.size(); i++) {
      accept(sender, messages.get(i));
    }
  }

  private void accept(String sender, Object decoded) {
    if (!(decoded instanceof Message message)) {
      reject(
          GrpcTransportMetrics.RejectReason.MALFORMED_MESSAGE,
          "malformed message from " + sender + ": " + ((InboundFrame.Rejected) decoded).reason());
      return;
    }
    if (!message.from().value().equals(sender)) {
      reject(
          GrpcTransportMetrics.RejectReason.SPOOFED_SENDER,
          "message from " + message.from() + " sent by " + sender);
      return;
    }
    if (!message.to().equals(self)) {
      reject(
          GrpcTransportMetrics.RejectReason.WRONG_RECIPIENT,
          "message from " + sender + " addressed to " + message.to());
      return;
    }
    if (closed) {
      return;
    }
    try {
      inbox.receive(message);
    } catch (RuntimeException e) {
      log.error("{}: inbox threw on receive; message dropped", self, e);
    }
  }

  /** Untrusted text from the wire, cut to a length fit for a status line. */
  private static String shorten(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }

  private void reject(GrpcTransportMetrics.RejectReason why, String reason) {
    rejected.incrementAndGet();
    try {
      metrics.frameRejected(self, why);
    } catch (RuntimeException e) {
      log.debug("{}: a GrpcTransportMetrics hook threw; ignored", self, e);
    }
    rejections.warn(self + ": rejected inbound frame: " + reason);
  }
}
