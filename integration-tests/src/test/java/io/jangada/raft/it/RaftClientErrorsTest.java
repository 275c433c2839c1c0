package io.jangada.raft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.ReadConsistency;
import io.jangada.raft.grpc.NoLeaderException;
import io.jangada.raft.grpc.RaftClient;
import io.jangada.raft.grpc.RequestTooLargeException;
import io.jangada.raft.grpc.WrongClusterException;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RaftClient}'s typed errors against a one-node cluster on the real stack. */
class RaftClientErrorsTest {

  private static final NodeId N1 = NodeId.of("n1");

  @TempDir Path dir;
  private RealCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private RaftClient client(String clusterId, int maxRequestBytes) throws Exception {
    cluster = new RealCluster(List.of(N1), dir, "errors").serveClients();
    cluster.start(N1);
    cluster.awaitLeader();
    return RaftClient.builder()
        .endpoints(cluster.address(N1))
        .clusterId(clusterId)
        .maxRequestBytes(maxRequestBytes)
        .deadline(Duration.ofSeconds(20))
        .build();
  }

  private static Throwable failure(java.util.concurrent.CompletableFuture<?> f) {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void aWrongClusterIdIsRefused() throws Exception {
    try (RaftClient client = client("another-cluster", 1 << 20)) {
      Throwable e = failure(client.submit(Bytes.ofUtf8("I x")));
      assertThat(e)
          .isInstanceOf(WrongClusterException.class)
          .hasMessageContaining("'errors'")
          .hasMessageContaining("'another-cluster'")
          .hasMessageContaining(cluster.address(N1))
          .hasMessageNotContaining("REPLY_CODE");
      assertThat(failure(client.query(Bytes.ofUtf8("G x"), ReadConsistency.LINEARIZABLE)))
          .isInstanceOf(WrongClusterException.class);
    }
  }

  @Test
  void tooLargeRequestsFailOnTheClientAndOnTheNode() throws Exception {
    try (RaftClient client = client("errors", 2 << 20)) {
      byte[] big = new byte[(1 << 20) + 1]; // over the node's default 1 MiB proposal limit
      java.util.Arrays.fill(big, (byte) 'x');
      assertThat(failure(client.submit(Bytes.wrapUnsafe(big))))
          .isInstanceOf(RequestTooLargeException.class);
      byte[] huge = new byte[(2 << 20) + 1]; // over the client's own limit
      assertThat(failure(client.submit(Bytes.wrapUnsafe(huge))))
          .isInstanceOf(RequestTooLargeException.class)
          .hasMessageContaining("client's limit");
      assertThat(client.submit(Bytes.ofUtf8("I ok")).get(30, TimeUnit.SECONDS).toUtf8())
          .isEqualTo("1");
    }
  }

  @Test
  void aNodeThatComesBackIsReachedWithoutWaitingOutTheChannelsBackoff() throws Exception {
    cluster = new RealCluster(List.of(N1), dir, "errors").serveClients();
    try (RaftClient client =
        RaftClient.builder()
            .endpoints(cluster.address(N1))
            .clusterId("errors")
            .deadline(Duration.ofSeconds(90))
            .build()) {
      long start = System.nanoTime();
      java.util.concurrent.CompletableFuture<Bytes> put = client.submit(Bytes.ofUtf8("I x"));
      // 20 s of refused connections: gRPC's own reconnect backoff (1 s, x1.6 each, +-20 %) has
      // grown to about 10 s between tries by then, the client's stays at most 1 s.
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
        assertThat(put).isNotDone();
        Thread.sleep(100);
      }
      cluster.start(N1);
      cluster.awaitLeader();
      long up = System.nanoTime();
      assertThat(put.get(60, TimeUnit.SECONDS).toUtf8()).isEqualTo("1");
      assertThat(Duration.ofNanos(System.nanoTime() - up))
          .as("time from the node's election to the answer")
          .isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void noReachableNodeFailsWithNoLeaderAtTheDeadline() throws Exception {
    int port = LoopbackPorts.freeLoopbackAddress().getPort(); // nothing listens there
    try (RaftClient client =
        RaftClient.builder()
            .endpoints("127.0.0.1:" + port)
            .clusterId("nobody")
            .deadline(Duration.ofMillis(800))
            .build()) {
      long start = System.nanoTime();
      Throwable e = failure(client.submit(Bytes.ofUtf8("I x")));
      assertThat(e).isInstanceOf(NoLeaderException.class).hasMessageContaining("deadline");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }
}
