package io.jangada.raft.metrics;

import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.grpc.GrpcTransportMetrics;
import io.jangada.raft.model.NodeId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts a {@link GrpcTransport}'s rejected frames (by reason), reconnects and dropped messages (by
 * peer) in a Micrometer {@link MeterRegistry}, tagged {@code cluster} and {@code node}. Give it to
 * {@link GrpcTransport.Builder#metrics}. Needs raft-grpc on the class path. Thread-safe.
 */
public final class GrpcTransportMeters implements GrpcTransportMetrics {

  private final MeterRegistry registry;
  private final String clusterId;

  /** Counts into {@code registry}, tagging every meter with {@code clusterId}. */
  public GrpcTransportMeters(MeterRegistry registry, String clusterId) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
  }

  @Override
  public void frameRejected(NodeId self, RejectReason reason) {
    Counter.builder(RaftNodeMeters.PREFIX + "grpc.frames.rejected")
        .description("Inbound frames or messages rejected by the gRPC transport")
        .tags("cluster", clusterId, "node", self.value())
        .tag("reason", reason.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  @Override
  public void reconnecting(NodeId self, NodeId peer) {
    Counter.builder(RaftNodeMeters.PREFIX + "grpc.reconnects")
        .description("Streams to a peer that ended and are reconnected after a backoff")
        .tags("cluster", clusterId, "node", self.value(), "peer", peer.value())
        .register(registry)
        .increment();
  }

  @Override
  public void messageDropped(NodeId self, NodeId peer) {
    Counter.builder(RaftNodeMeters.PREFIX + "grpc.messages.dropped")
        .description("Outbound messages dropped because the peer's queue was full or it was down")
        .tags("cluster", clusterId, "node", self.value(), "peer", peer.value())
        .register(registry)
        .increment();
  }
}
