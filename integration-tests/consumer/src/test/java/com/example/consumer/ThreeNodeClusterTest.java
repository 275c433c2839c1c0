package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.jangada.raft.RaftNode;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes on gRPC (127.0.0.1) and file storage, as a user would wire them. */
class ThreeNodeClusterTest {

  @TempDir Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void aCommandProposedOnTheLeaderIsAppliedOnEveryNode() throws Exception {
    List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    List<RaftNode> nodes = startCluster(ids);

    long expected = 0;
    for (int i = 1; i <= 10; i++) {
      proposeOnLeader(nodes, Bytes.ofUtf8(Integer.toString(i)));
      expected += i;
    }

    for (RaftNode node : nodes) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String sum = "";
      while (System.nanoTime() < deadline) {
        sum = node.query(Bytes.EMPTY, ReadConsistency.STALE).get(10, TimeUnit.SECONDS).toUtf8();
        if (sum.equals(Long.toString(expected))) {
          break;
        }
        Thread.sleep(20);
      }
      assertEquals(Long.toString(expected), sum, "sum applied on " + node.status());
    }
  }

  /** Which protobuf the consumer's own class path has: raft-grpc must not bring one. */
  @Test
  void theConsumersProtobufIsItsOwn() {
    String expected = System.getProperty("expected.protobuf", "none");
    System.out.println(
        "consumer: protobuf on the class path: "
            + expected
            + "; raft-grpc's netty epoll available: "
            + shadedEpollAvailable());
    if (expected.equals("none")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName("com.google.protobuf.Message"));
    } else {
      // protobuf-java 3.x has no RuntimeVersion (added in 4.x): the old jar really is in use.
      assertThrows(
          ClassNotFoundException.class, () -> Class.forName("com.google.protobuf.RuntimeVersion"));
    }
  }

  private static String shadedEpollAvailable() {
    try {
      Class<?> epoll =
          Class.forName(
              "io.jangada.raft.grpc.thirdparty.io.grpc.netty.shaded.io.netty.channel.epoll.Epoll");
      return String.valueOf(epoll.getMethod("isAvailable").invoke(null));
    } catch (ReflectiveOperationException e) {
      return "unknown (" + e + ")";
    }
  }

  /**
   * Starts a cluster of {@code ids} on loopback ports that were free a moment ago. Every transport
   * needs its peers' addresses before it starts, so the ports are picked in advance, and another
   * process may bind one of them first: the whole start is then retried on fresh ports (in a fresh
   * directory), up to three times.
   */
  private List<RaftNode> startCluster(List<NodeId> ids) throws Exception {
    for (int attempt = 1; ; attempt++) {
      List<AutoCloseable> opened = new ArrayList<>();
      try {
        List<RaftNode> nodes = startCluster(ids, dir.resolve("attempt-" + attempt), opened);
        resources.addAll(opened);
        return nodes;
      } catch (Exception e) {
        for (int i = opened.size() - 1; i >= 0; i--) {
          opened.get(i).close();
        }
        if (attempt == 3 || !portTaken(e)) {
          throw e;
        }
        System.out.println("consumer: a port was taken before our server bound it, retrying: " + e);
      }
    }
  }

  private static List<RaftNode> startCluster(
      List<NodeId> ids, Path dir, List<AutoCloseable> opened) throws Exception {
    Map<NodeId, InetSocketAddress> addresses = new TreeMap<>();
    for (NodeId id : ids) {
      addresses.put(id, new InetSocketAddress("127.0.0.1", freePort()));
    }
    List<RaftNode> nodes = new ArrayList<>();
    for (NodeId id : ids) {
      FileStorage storage =
          FileStorage.open(dir.resolve(id.value()), DataDirIdentity.of("consumer", id.value()));
      opened.add(storage);
      GrpcTransport.Builder transport =
          GrpcTransport.builder().self(id).clusterId("consumer").listen(addresses.get(id));
      for (NodeId peer : ids) {
        if (!peer.equals(id)) {
          transport.peer(peer, addresses.get(peer));
        }
      }
      GrpcTransport grpc = transport.build();
      opened.add(grpc);
      RaftNode node =
          RaftNode.builder()
              .id(id)
              .membership(Membership.ofVoters(ids))
              .stateMachine(new Counter())
              .logStorage(storage.log())
              .stateStorage(storage.state())
              .snapshotStorage(storage.snapshots())
              .transport(grpc)
              .build();
      opened.add(node);
      nodes.add(node);
    }
    for (RaftNode node : nodes) {
      node.start().get(30, TimeUnit.SECONDS);
    }
    return nodes;
  }

  private static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // Netty's native transport reports EADDRINUSE as an IOException naming it.
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static void proposeOnLeader(List<RaftNode> nodes, Bytes command) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      for (RaftNode node : nodes) {
        if (node.status().isLeader()) {
          try {
            node.propose(command).get(10, TimeUnit.SECONDS);
            return;
          } catch (Exception e) {
            // Leadership moved; try again.
          }
        }
      }
      Thread.sleep(20);
    }
    fail("no leader committed " + command.toUtf8() + " within 30 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
