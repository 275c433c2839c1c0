package io.jangada.raft.benchmarks;

import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.metrics.GrpcTransportMeters;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link GrpcTransport} per node on 127.0.0.1, on ports that were free a moment ago (below the
 * ephemeral range, {@link LoopbackPorts}).
 */
final class GrpcTransports {
  private GrpcTransports() {}

  /** With a registry for a node in {@code registries}, its transport counts into it. */
  static NodeBenchmark.Transports create(
      List<NodeId> ids, List<AutoCloseable> resources, Map<NodeId, MeterRegistry> registries) {
    Map<NodeId, InetSocketAddress> addresses = new HashMap<>();
    for (NodeId id : ids) {
      addresses.put(id, LoopbackPorts.freeLoopbackAddress());
    }
    return id -> {
      GrpcTransport.Builder builder =
          GrpcTransport.builder().self(id).clusterId("bench").listen(addresses.get(id));
      for (NodeId peer : ids) {
        if (!peer.equals(id)) {
          builder.peer(peer, addresses.get(peer));
        }
      }
      MeterRegistry registry = registries.get(id);
      if (registry != null) {
        builder.metrics(new GrpcTransportMeters(registry, "bench"));
      }
      GrpcTransport transport = builder.build();
      resources.add(0, transport); // close transports before storage
      return transport;
    };
  }
}
