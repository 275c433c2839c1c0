package io.jangada.raft.testing;

import io.jangada.raft.Scheduler;
import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The transport contract on {@link VirtualNetwork} driven by real threads ({@link
 * Scheduler#system()}): the kit's one in-memory network serves both virtual-time and threaded
 * tests.
 */
class VirtualNetworkContractTest extends TransportContract {

  @Override
  protected Cluster newCluster(List<NodeId> ids) {
    Scheduler scheduler = Scheduler.system();
    VirtualNetwork network = new VirtualNetwork(scheduler, new SplittableRandom(42));
    return new Cluster() {
      @Override
      public Transport newTransport(NodeId id) {
        return network.transport(id);
      }

      @Override
      public void close() {
        scheduler.shutdown();
      }
    };
  }
}
