package io.jangada.raft.grpc;

import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import io.jangada.raft.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The transport contract over real gRPC on 127.0.0.1. */
class GrpcTransportContractTest extends TransportContract {

  @Override
  protected Cluster newCluster(List<NodeId> ids) {
    Map<NodeId, InetSocketAddress> addresses = new HashMap<>();
    ids.forEach(id -> addresses.put(id, LoopbackPorts.freeLoopbackAddress()));
    Map<NodeId, GrpcTransport.Builder> builders = new HashMap<>();
    for (NodeId id : ids) {
      GrpcTransport.Builder b =
          GrpcTransport.builder()
              .self(id)
              .clusterId("contract")
              .listen(addresses.get(id))
              .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200));
      ids.stream().filter(p -> !p.equals(id)).forEach(p -> b.peer(p, addresses.get(p)));
      builders.put(id, b);
    }
    return new Cluster() {
      @Override
      public Transport newTransport(NodeId id) {
        return builders.get(id).build();
      }

      @Override
      public void close() {}
    };
  }
}
