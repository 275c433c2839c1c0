package io.jangada.raft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftNode;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.grpc.RaftClient;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RaftClient} against three nodes on the real stack (FileStorage + gRPC on 127.0.0.1, nodes
 * serving the client protocol): commands submitted concurrently while the leader is killed and
 * restarted twice are each applied exactly once (every command increments its own counter, so a
 * second application would show as 2); a client that knows only a follower works.
 */
class RaftClientClusterTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private RealCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private RealCluster startCluster() throws Exception {
    cluster =
        new RealCluster(IDS, dir, "client-test")
            .serveClients()
            .customize(b -> b.snapshotThreshold(40).snapshotTrailingEntries(10));
    for (NodeId id : IDS) {
      cluster.start(id);
    }
    return cluster;
  }

  private RaftClient client(NodeId... endpoints) {
    List<String> addresses = new ArrayList<>();
    for (NodeId id : endpoints) {
      addresses.add(cluster.address(id));
    }
    return RaftClient.builder()
        .endpoints(addresses)
        .clusterId("client-test")
        .deadline(WAIT)
        .attemptTimeout(Duration.ofSeconds(3))
        .build();
  }

  @Test
  void acknowledgedSubmitsApplyExactlyOnceThroughLeaderKillsAndRestarts() throws Exception {
    startCluster();
    cluster.awaitLeader();
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    List<String> failed = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (RaftClient client = client(IDS.toArray(NodeId[]::new))) {
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0; !stop.get() || i < 10; i++) {
                    // Two commands in flight per writer: one session, many outstanding sequences.
                    String a = "w" + writer + "-" + i + "a";
                    String b = "w" + writer + "-" + i + "b";
                    CompletableFuture<Bytes> fa = client.submit(Bytes.ofUtf8("I " + a));
                    CompletableFuture<Bytes> fb = client.submit(Bytes.ofUtf8("I " + b));
                    record(a, fa, acknowledged, failed);
                    record(b, fb, acknowledged, failed);
                  }
                });
        t.start();
        writers.add(t);
      }
      for (int round = 0; round < 2; round++) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1500));
        RaftNode leader = cluster.awaitLeader();
        cluster.stop(leader.id());
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1500));
        cluster.start(leader.id());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1000));
      stop.set(true);
      for (Thread t : writers) {
        t.join(WAIT.toMillis() * 3);
      }
      Bytes probe = client.query(Bytes.ofUtf8("G w0-0a"), ReadConsistency.LINEARIZABLE).join();
      assertThat(probe.toUtf8()).isIn("1", "");
    }
    synchronized (failed) {
      assertThat(failed).as("submits that failed").isEmpty();
    }
    assertThat(acknowledged).hasSizeGreaterThan(40);
    for (String key : acknowledged.keySet()) {
      assertThat(acknowledged.get(key)).as("result of %s", key).isEqualTo("1");
    }
    // Every node holds each acknowledged command exactly once, and no command twice.
    RealCluster.awaitUntil(
        () ->
            IDS.stream()
                .allMatch(
                    id -> {
                      RealCluster.Running r = cluster.running().get(id);
                      if (r == null) {
                        return false;
                      }
                      Map<String, String> state = r.machine().contents();
                      return acknowledged.keySet().stream().allMatch(k -> "1".equals(state.get(k)))
                          && state.values().stream().allMatch("1"::equals);
                    }),
        "every node applied every acknowledged command exactly once (and nothing twice)",
        WAIT);
  }

  private static void record(
      String key, CompletableFuture<Bytes> f, Map<String, String> ok, List<String> failed) {
    try {
      ok.put(key, f.get().toUtf8());
    } catch (ExecutionException e) {
      synchronized (failed) {
        failed.add(key + ": " + e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aClientThatKnowsOnlyAFollowerWorks() throws Exception {
    startCluster();
    NodeId leader = cluster.awaitLeader().id();
    NodeId follower = IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    try (RaftClient client = client(follower)) {
      for (int i = 0; i < 20; i++) {
        assertThat(client.submit(Bytes.ofUtf8("I f" + i)).get(60, TimeUnit.SECONDS).toUtf8())
            .isEqualTo("1");
      }
      assertThat(client.submit(Bytes.ofUtf8("I f0")).get(60, TimeUnit.SECONDS).toUtf8())
          .isEqualTo("2");
      assertThat(
              client
                  .query(Bytes.ofUtf8("G f19"), ReadConsistency.LINEARIZABLE)
                  .get(60, TimeUnit.SECONDS)
                  .toUtf8())
          .isEqualTo("1");
      assertThat(
              client.query(Bytes.ofUtf8("G f0"), ReadConsistency.STALE).get(60, TimeUnit.SECONDS))
          .isNotNull();
    }
  }
}
