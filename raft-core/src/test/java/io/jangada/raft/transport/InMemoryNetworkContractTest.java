package io.jangada.raft.transport;

import io.jangada.raft.model.NodeId;
import java.util.List;

class InMemoryNetworkContractTest extends TransportContract {

  @Override
  protected Cluster newCluster(List<NodeId> ids) {
    InMemoryNetwork network = new InMemoryNetwork(42);
    return new Cluster() {
      @Override
      public Transport newTransport(NodeId id) {
        return network.transport(id);
      }

      @Override
      public void close() {
        network.close();
      }
    };
  }
}
