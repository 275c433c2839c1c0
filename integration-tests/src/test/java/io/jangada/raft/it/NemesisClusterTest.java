package io.jangada.raft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.file.FileStorage;
import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.HistoryRecorder;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.KvModel;
import io.jangada.raft.testkit.lincheck.models.KvOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * T7: three {@link RaftNode}s in one JVM on {@link FileStorage} and {@link GrpcTransport} over
 * 127.0.0.1. Concurrent clients put, compare-and-set and read a few keys and record a history,
 * while a nemesis kills and restarts nodes (reopening their data directories) and partitions them
 * through a transport filter. At the end the faults heal, a write must commit (liveness), every
 * node must converge, and the history must be linearizable.
 *
 * <p>Seeded ({@code -Dnemesis.seed=N}); the schedule still depends on real thread timing, so a
 * failure prints the seed and the checker's explanation rather than a replay command. Runs 20 s by
 * default, {@code -Dnemesis.seconds=N} or 120 s under {@code -Psoak}.
 */
class NemesisClusterTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final List<String> KEYS = List.of("a", "b", "c");
  private static final Duration TICK = Duration.ofMillis(20);

  @TempDir Path dir;

  private RealCluster cluster;
  private Map<NodeId, RealCluster.Running> running;
  private final Set<String> blocked = ConcurrentHashMap.newKeySet();
  private final HistoryRecorder<KvOp<String, String>, Reply<String>> history =
      HistoryRecorder.create();
  private final AtomicLong values = new AtomicLong();
  private final AtomicInteger acknowledged = new AtomicInteger();
  private SplittableRandom random;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void historyUnderCrashesAndPartitionsIsLinearizable() throws Exception {
    long seed = Long.getLong("nemesis.seed", System.nanoTime() % 100_000);
    long seconds = Long.getLong("nemesis.seconds", Boolean.getBoolean("jangada.soak") ? 120 : 20);
    random = new SplittableRandom(seed);
    String context = "nemesis seed " + seed + " (-Dnemesis.seed=" + seed + ")";
    cluster =
        new RealCluster(IDS, dir, "nemesis")
            .wrapTransport((id, transport) -> new FilteringTransport(id, transport, blocked))
            .customize(b -> b.random(random.split()));
    running = cluster.running();
    for (NodeId id : IDS) {
      start(id);
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      int process = c;
      SplittableRandom clientRandom = random.split();
      Thread client = new Thread(() -> runClient(process, clientRandom, deadline), "client-" + c);
      client.start();
      clients.add(client);
    }
    runNemesis(random.split(), deadline);
    for (Thread client : clients) {
      client.join(TimeUnit.SECONDS.toMillis(60));
    }

    // Heal everything; the cluster must elect a leader and commit a write.
    blocked.clear();
    for (NodeId id : IDS) {
      if (!running.containsKey(id)) {
        start(id);
      }
    }
    assertThat(finalWrite()).as("a write commits after the faults heal; " + context).isTrue();
    awaitConvergence(context);

    CheckResult<KvOp<String, String>, Reply<String>> result =
        LinearizabilityChecker.parallel(2)
            .check(history.history(), KvModel.create(), Duration.ofSeconds(120));
    System.out.printf(
        "NemesisClusterTest %s: %d operations recorded, %d acknowledged writes, verdict %s%n",
        context, history.history().operations().size(), acknowledged.get(), result.verdict());
    assertThat(result.verdict())
        .as(context + "\n" + result.explanation())
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(acknowledged.get()).as("some writes were acknowledged; " + context).isPositive();
  }

  private void runClient(int process, SplittableRandom r, long deadline) {
    while (System.nanoTime() < deadline) {
      String key = KEYS.get(r.nextInt(KEYS.size()));
      int kind = r.nextInt(3);
      RaftNode node = pickNode(r);
      if (node == null) {
        pause(20);
        continue;
      }
      if (kind == 0) {
        read(process, node, key);
      } else if (kind == 1) {
        String value = Long.toString(values.incrementAndGet());
        write(process, node, KvOp.put(key, value), "P " + key + " " + value);
      } else {
        String expected = Long.toString(1 + r.nextLong(Math.max(1, values.get())));
        String update = Long.toString(values.incrementAndGet());
        write(
            process,
            node,
            KvOp.cas(key, expected, update),
            "C " + key + " " + expected + " " + update);
      }
    }
  }

  private RaftNode pickNode(SplittableRandom r) {
    List<RealCluster.Running> nodes = new ArrayList<>(running.values());
    if (nodes.isEmpty()) {
      return null;
    }
    for (RealCluster.Running candidate : nodes) {
      if (candidate.node().status().isLeader() && r.nextInt(10) < 8) {
        return candidate.node();
      }
    }
    return nodes.get(r.nextInt(nodes.size())).node();
  }

  private void read(int process, RaftNode node, String key) {
    HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call =
        history.invoke(process, KvOp.get(key));
    try {
      Bytes value =
          node.query(Bytes.ofUtf8("G " + key), ReadConsistency.LINEARIZABLE)
              .get(3, TimeUnit.SECONDS);
      call.ok(value.isEmpty() ? Reply.absent() : Reply.value(value.toUtf8()));
    } catch (ExecutionException | TimeoutException e) {
      call.fail(); // a read that returned nothing changed nothing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.fail();
    }
  }

  private void write(int process, RaftNode node, KvOp<String, String> op, String command) {
    HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call = history.invoke(process, op);
    CompletableFuture<io.jangada.raft.Committed> future = node.propose(Bytes.ofUtf8(command));
    try {
      String result = future.get(3, TimeUnit.SECONDS).result().toUtf8();
      acknowledged.incrementAndGet();
      call.ok(result.equals("ok") ? Reply.ack() : Reply.applied(result.equals("applied")));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof NotLeaderException
          || cause instanceof ProposalDroppedException
          || cause instanceof NodeClosedException
          || cause instanceof RequestTimeoutException) {
        call.fail(); // nothing was appended
      } else if (cause instanceof IndeterminateResultException) {
        call.info();
      } else {
        call.info();
      }
    } catch (TimeoutException e) {
      call.info();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.info();
    }
  }

  private void runNemesis(SplittableRandom r, long deadline) throws IOException {
    while (System.nanoTime() < deadline) {
      pause(500 + r.nextInt(1500));
      NodeId victim = IDS.get(r.nextInt(IDS.size()));
      switch (r.nextInt(4)) {
        case 0 -> { // crash and restart
          kill(victim);
          pause(300 + r.nextInt(1500));
          start(victim);
        }
        case 1 -> { // isolate
          for (NodeId other : IDS) {
            if (!other.equals(victim)) {
              blocked.add(FilteringTransport.link(victim, other));
              blocked.add(FilteringTransport.link(other, victim));
            }
          }
          pause(500 + r.nextInt(2000));
          blocked.clear();
        }
        case 2 -> { // one-way: the victim hears nobody but can still send
          for (NodeId other : IDS) {
            if (!other.equals(victim)) {
              blocked.add(FilteringTransport.link(other, victim));
            }
          }
          pause(500 + r.nextInt(2000));
          blocked.clear();
        }
        default -> { // bridge: the victim talks to both others, they cannot talk to each other
          List<NodeId> others = IDS.stream().filter(id -> !id.equals(victim)).toList();
          blocked.add(FilteringTransport.link(others.get(0), others.get(1)));
          blocked.add(FilteringTransport.link(others.get(1), others.get(0)));
          pause(500 + r.nextInt(2000));
          blocked.clear();
        }
      }
    }
  }

  private boolean finalWrite() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Optional<RealCluster.Running> leader =
          running.values().stream().filter(r -> r.node().status().isLeader()).findFirst();
      if (leader.isPresent()) {
        try {
          leader.get().node().propose(Bytes.ofUtf8("P final 1")).get(5, TimeUnit.SECONDS);
          return true;
        } catch (ExecutionException | TimeoutException e) {
          // try again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      pause(50);
    }
    return false;
  }

  private void awaitConvergence(String context) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      List<Map<String, String>> states =
          running.values().stream().map(r -> r.machine().contents()).toList();
      if (states.size() == IDS.size()
          && states.stream().distinct().count() == 1
          && states.get(0).containsKey("final")) {
        return;
      }
      pause(50);
    }
    throw new AssertionError("nodes did not converge to the same state; " + context);
  }

  private void start(NodeId id) throws IOException {
    cluster.start(id);
  }

  private void kill(NodeId id) {
    cluster.stop(id);
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
