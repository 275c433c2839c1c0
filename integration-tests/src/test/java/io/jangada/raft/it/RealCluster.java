package io.jangada.raft.it;

import io.jangada.raft.RaftNode;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import io.jangada.raft.testing.LoopbackPorts;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Three (or more) {@link RaftNode}s on the real stack: {@link FileStorage} under one directory per
 * node and {@link GrpcTransport} on fixed 127.0.0.1 ports, so a node can be stopped (as a killed
 * process would be: its directory released) and started again on the same address and data.
 */
final class RealCluster implements AutoCloseable {

  /** A running node and what it owns. */
  record Running(FileStorage storage, GrpcTransport transport, KvMachine machine, RaftNode node) {}

  private final List<NodeId> ids;
  private final Path dir;
  private final String clusterId;
  private final Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
  private final Map<NodeId, Running> running = new ConcurrentHashMap<>();
  private final Set<NodeId> joined = ConcurrentHashMap.newKeySet();
  private BiFunction<NodeId, Transport, Transport> wrapTransport = (id, t) -> t;
  private UnaryOperator<RaftNode.Builder> customize = b -> b;
  private StorageOpener openStorage = (dir, identity) -> FileStorage.open(dir, identity);

  /** Opens a node's {@link FileStorage} (e.g. on a faulty disk). */
  interface StorageOpener {
    FileStorage open(Path dir, DataDirIdentity identity) throws IOException;
  }

  private boolean serveClients;

  RealCluster(List<NodeId> ids, Path dir, String clusterId) {
    this.ids = List.copyOf(ids);
    this.dir = dir;
    this.clusterId = clusterId;
    for (NodeId id : ids) {
      addresses.put(id, LoopbackPorts.freeLoopbackAddress());
    }
  }

  /** Wraps each node's transport (e.g. to filter messages). */
  RealCluster wrapTransport(BiFunction<NodeId, Transport, Transport> wrap) {
    this.wrapTransport = wrap;
    return this;
  }

  /** Opens the nodes' storage with {@code opener} from now on. */
  RealCluster openStorage(StorageOpener opener) {
    this.openStorage = opener;
    return this;
  }

  /** Adjusts each node's builder (e.g. snapshot settings, seed). */
  RealCluster customize(UnaryOperator<RaftNode.Builder> customize) {
    this.customize = customize;
    return this;
  }

  /** Serves the client protocol (RaftClient) on every node's gRPC server. */
  RealCluster serveClients() {
    this.serveClients = true;
    return this;
  }

  /** The {@code host:port} of a node's gRPC server (Raft traffic and clients). */
  String address(NodeId id) {
    InetSocketAddress a = addresses.get(id);
    return a.getHostString() + ":" + a.getPort();
  }

  List<NodeId> ids() {
    return ids;
  }

  /**
   * Starts a new node {@code id} in join mode (no configuration, no peers) on a fresh port; it
   * waits for a leader to add it. Restarts of it use join mode too (the stored configuration wins).
   */
  synchronized void join(NodeId id) throws IOException {
    if (ids.contains(id) || joined.contains(id)) {
      throw new IllegalArgumentException(id + " is in this cluster already");
    }
    addresses.put(id, LoopbackPorts.freeLoopbackAddress());
    joined.add(id);
    start(id);
  }

  Path dataDir(NodeId id) {
    return dir.resolve(id.value());
  }

  Map<NodeId, Running> running() {
    return running;
  }

  synchronized void start(NodeId id) throws IOException {
    FileStorage storage = openStorage.open(dataDir(id), new DataDirIdentity(clusterId, id));
    GrpcTransport.Builder builder =
        GrpcTransport.builder().self(id).clusterId(clusterId).listen(addresses.get(id));
    boolean joining = joined.contains(id);
    RaftNode.Builder raft = RaftNode.builder();
    if (joining) {
      raft.join();
    } else {
      Membership.Builder membership = Membership.builder();
      for (NodeId member : ids) {
        membership.voter(member, address(member));
        if (!member.equals(id)) {
          builder.peer(member, addresses.get(member));
        }
      }
      raft.membership(membership.build());
    }
    GrpcTransport transport;
    try {
      transport = builder.build();
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
    KvMachine machine = new KvMachine();
    RaftNode node =
        customize
            .apply(
                raft.id(id)
                    .config(RaftConfig.builder().electionTicks(10).heartbeatTicks(1).build())
                    .stateMachine(machine)
                    .logStorage(storage.log())
                    .stateStorage(storage.state())
                    .snapshotStorage(storage.snapshots())
                    .transport(wrapTransport.apply(id, transport))
                    .tickInterval(Duration.ofMillis(20)))
            .build();
    if (serveClients) {
      transport.serveClients(node);
    }
    try {
      node.start().join();
    } catch (RuntimeException e) {
      node.close();
      transport.close();
      storage.close();
      throw e;
    }
    running.put(id, new Running(storage, transport, machine, node));
  }

  /** Stops a node at once and releases its data directory. */
  synchronized void stop(NodeId id) {
    Running r = running.remove(id);
    if (r == null) {
      return;
    }
    r.node().close(Duration.ZERO); // a kill: no leadership handover
    r.transport().close();
    try {
      r.storage().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Optional<RaftNode> leader() {
    return running.values().stream()
        .map(Running::node)
        .filter(n -> n.status().isLeader())
        .findFirst();
  }

  RaftNode awaitLeader() {
    awaitUntil(() -> leader().isPresent(), "a leader is elected", Duration.ofSeconds(30));
    return leader().orElseThrow();
  }

  static void awaitUntil(BooleanSupplier condition, String what, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " within " + within);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  @Override
  public void close() {
    for (NodeId id : List.copyOf(running.keySet())) {
      stop(id);
    }
  }
}
