package io.jangada.raft.examples.kv.server;

import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftNode;
import io.jangada.raft.SessionLimits;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvStateMachine;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.metrics.GrpcTransportMeters;
import io.jangada.raft.metrics.RaftNodeMeters;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import io.jangada.raft.storage.file.FileStorageOptions;
import io.jangada.raft.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the durable storage and the gRPC transport and starts the {@code RaftNode} with a {@link
 * KvStateMachine}: the few lines every Jangada application writes. Every failure becomes a one-line
 * {@link ServerCommand.StartupException}.
 */
final class RaftWiring {

  private static final Logger log = LoggerFactory.getLogger(RaftWiring.class);

  /**
   * Client sessions: every HTTP write with an {@code Idempotency-Key} opens one (named after the
   * key), so a key is remembered for an hour after its last use and the 100,000 most recently used
   * keys are kept.
   */
  static final SessionLimits SESSION_LIMITS =
      new SessionLimits(Duration.ofHours(1), 100_000, 64L << 20);

  private RaftWiring() {}

  /** A started node and what it owns, closed in reverse order. */
  record Running(RaftNode raftNode, Transport transport, FileStorage storage)
      implements AutoCloseable {

    KvNode node() {
      return KvNode.of(raftNode);
    }

    @Override
    public void close() {
      raftNode.close(); // the node does not close what the caller owns:
      transport.close();
      try {
        storage.close();
      } catch (IOException e) {
        log.warn("closing the storage failed", e);
      }
    }
  }

  static Running start(
      ServerCommand.Plan plan,
      Path dataDir,
      String clusterId,
      Duration tick,
      int maxValueBytes,
      MeterRegistry registry) {
    FileStorage storage;
    try {
      storage =
          FileStorage.open(
              dataDir, new DataDirIdentity(clusterId, plan.self()), FileStorageOptions.defaults());
    } catch (IOException e) {
      throw new ServerCommand.StartupException(
          "cannot open --data-dir " + dataDir + ": " + e.getMessage());
    }
    MemberTransport transport;
    try {
      transport = transport(plan, clusterId, registry);
    } catch (RuntimeException e) {
      closeQuietly(storage);
      throw e;
    }
    RaftNode.Builder builder = RaftNode.builder().id(plan.self());
    if (plan.join()) {
      builder.join(); // learns the configuration (and its peers) from the leader
    } else {
      builder.membership(plan.membership());
    }
    RaftNode node =
        builder
            .config(RaftConfig.builder().build())
            .stateMachine(new KvStateMachine())
            .logStorage(storage.log())
            .stateStorage(storage.state())
            .snapshotStorage(storage.snapshots())
            .transport(transport)
            .tickInterval(tick)
            // The limits must agree: a value of exactly --max-value-bytes must fit in a command.
            .maxProposalBytes(KvCodec.maxCommandBytes(maxValueBytes))
            .sessionLimits(SESSION_LIMITS)
            .listener(new LoggingListener())
            // Futures complete on the node's thread that completes them (mostly the apply thread),
            // not on the common pool: what runs there (KvHttpServer queues a write's answer for its
            // answering thread) never blocks, and the common pool's task and thread wake-up per
            // write would cost the leader CPU per write.
            .callbackExecutor(Runnable::run)
            .build();
    // The Raft port also serves the client protocol, for RaftClient (the CLI uses it).
    ((GrpcTransport) transport.delegate())
        .serveClients(node, KvCodec.maxCommandBytes(maxValueBytes));
    RaftNodeMeters.bind(registry, node, clusterId);
    // Readiness waits for the leader's commit index, which the node asks for from the first
    // health() call on: asked now, /health/ready is 200 on the first probe after catching up.
    node.health();
    try {
      node.start().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      node.close();
      transport.close();
      closeQuietly(storage);
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ServerCommand.StartupException(describe(cause, plan));
    }
    return new Running(node, transport, storage);
  }

  /** The gRPC transport: listens on this node's Raft address, dials the others. */
  private static MemberTransport transport(
      ServerCommand.Plan plan, String clusterId, MeterRegistry registry) {
    GrpcTransport.Builder transport =
        GrpcTransport.builder()
            .metrics(new GrpcTransportMeters(registry, clusterId))
            .self(plan.self())
            .clusterId(clusterId)
            .listen(new InetSocketAddress(plan.raftListen().host(), plan.raftListen().port()));
    plan.members() // none but this node in join mode: peers come from the configuration
        .forEach(
            (id, member) -> {
              if (!id.equals(plan.self())) {
                transport.peer(id, member.raft().toString());
              }
            });
    // Members carry "raft;http=..." addresses in the configuration: the gRPC transport gets the
    // Raft part.
    return new MemberTransport(transport.build()); // binds in RaftNode.start
  }

  private static String describe(Throwable failure, ServerCommand.Plan plan) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return "Raft address " + plan.raftListen() + " is in use";
      }
    }
    // The message, not toString(): an operator reads "did not start: the log of node n1 starts
    // after ...", not the exception's class name.
    String why = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    return "node " + plan.self() + " did not start: " + why;
  }

  private static void closeQuietly(FileStorage storage) {
    try {
      storage.close();
    } catch (IOException e) {
      log.warn("closing the storage failed", e);
    }
  }

  /**
   * Logs snapshots (the library itself logs role and leader changes): what run-cluster.sh logs
   * shows.
   */
  private static final class LoggingListener implements RaftListener {
    private static final Logger log = LoggerFactory.getLogger("raft");

    @Override
    public void onSnapshot(NodeId self, SnapshotMeta meta) {
      log.info("{} snapshot at index {} (term {})", self, meta.index(), meta.term());
    }

    @Override
    public void onMembershipChange(NodeId self, Membership membership, long index) {
      log.info("{} configuration in force: {} (index {})", self, membership.describe(), index);
    }
  }
}
