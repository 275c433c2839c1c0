package io.jangada.raft.grpc;

import com.google.common.net.HostAndPort;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.model.NodeId;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Opens the sending side towards one peer for a started {@link GrpcTransport}: a Netty channel to
 * the peer's address with the transport's client TLS credentials and message size limit, and a
 * {@link PeerChannel} on it that frames with the transport's header, reconnects on its timer,
 * counts in its metrics and reports connection problems and unreachable peers to it.
 *
 * <p>Thread-safety: any thread ({@link PeerSet} opens channels under its lock). Opening never waits
 * for the network.
 */
final class PeerDialer {

  private final NodeId self;
  private final ChannelCredentials credentials;
  private final int maxMessageSize;
  private final Envelope header;
  private final RecentProblems connectionProblems;
  private final Executor executor;
  private final ScheduledExecutorService timer;
  private final Consumer<NodeId> reportUnreachable;
  private final GrpcTransport.Limits limits;
  private final GrpcTransportMetrics metrics;

  PeerDialer(
      NodeId self,
      ChannelCredentials credentials,
      int maxMessageSize,
      Envelope header,
      RecentProblems connectionProblems,
      Executor executor,
      ScheduledExecutorService timer,
      Consumer<NodeId> reportUnreachable,
      GrpcTransport.Limits limits,
      GrpcTransportMetrics metrics) {
    this.self = self;
    this.credentials = credentials;
    this.maxMessageSize = maxMessageSize;
    this.header = header;
    this.connectionProblems = connectionProblems;
    this.executor = executor;
    this.timer = timer;
    this.reportUnreachable = reportUnreachable;
    this.limits = limits;
    this.metrics = metrics;
  }

  /** A new channel to {@code peer} at {@code address}, not started. */
  PeerChannel open(NodeId peer, HostAndPort address) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(address.getHost(), address.getPort(), credentials)
            // Callbacks (stream ready, stream ended) are short and never block: run them on the
            // network thread, which then writes the queued frames itself (PeerChannel).
            .directExecutor()
            .maxInboundMessageSize(maxMessageSize)
            .keepAliveTime(20, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            // Raft resends what a failed stream lost; gRPC's retry layer would only buffer frames.
            .disableRetry()
            .build();
    return new PeerChannel(
        self,
        peer,
        address.toString(),
        connectionProblems,
        header.toByteArray(),
        channel,
        executor,
        timer,
        () -> reportUnreachable.accept(peer),
        limits,
        metrics);
  }
}
