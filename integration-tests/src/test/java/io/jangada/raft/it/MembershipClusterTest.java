package io.jangada.raft.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.CommittedMembership;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.file.FileStorage;
import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.HistoryRecorder;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.KvModel;
import io.jangada.raft.testkit.lincheck.models.KvOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes on the real stack ({@link GrpcTransport} on 127.0.0.1, {@link FileStorage}):
 * grow from 3 to 5 nodes, shrink back to 3 (removing the leader first), then replace a killed node,
 * while clients put and read a few keys. Joining nodes start with no configuration and no peers and
 * learn both from the leader's log. At the end a final read of every key joins the history, which
 * must be linearizable, so no acknowledged write can have been lost.
 */
class MembershipClusterTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final List<String> KEYS = List.of("a", "b", "c");

  @TempDir Path dir;

  private RealCluster cluster;
  private final HistoryRecorder<KvOp<String, String>, Reply<String>> history =
      HistoryRecorder.create();
  private final AtomicLong values = new AtomicLong();
  private final AtomicInteger acknowledged = new AtomicInteger();
  private volatile boolean stop;

  @AfterEach
  void tearDown() {
    stop = true;
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void growShrinkAndReplaceWhileClientsWrite() throws Exception {
    long seed = Long.getLong("membership.seed", System.nanoTime() % 100_000);
    String context = "membership seed " + seed + " (-Dmembership.seed=" + seed + ")";
    System.out.println(context);
    SplittableRandom random = new SplittableRandom(seed);
    cluster = new RealCluster(IDS, dir, "membership").customize(b -> b.random(random.split()));
    for (NodeId id : IDS) {
      cluster.start(id);
    }
    cluster.awaitLeader();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      int process = c;
      SplittableRandom r = random.split();
      Thread t = new Thread(() -> runClient(process, r), "client-" + c);
      t.start();
      clients.add(t);
    }

    // Grow 3 -> 5.
    for (String name : List.of("n4", "n5")) {
      NodeId id = NodeId.of(name);
      cluster.join(id);
      change(l -> l.addLearner(id, cluster.address(id)), m -> m.contains(id), "add " + id);
      change(l -> l.promote(id), m -> m.isVoter(id), "promote " + id);
    }
    assertThat(committedMembership().voters()).hasSize(5);
    // The joined nodes' transports learned every peer from the log.
    assertThat(cluster.running().get(NodeId.of("n5")).transport().peerAddresses()).hasSize(4);

    // Shrink 5 -> 3: the leader first (it hands over), then one more.
    for (int i = 0; i < 2; i++) {
      NodeId victim = i == 0 ? cluster.awaitLeader().id() : someFollower();
      change(l -> l.removeMember(victim), m -> !m.contains(victim), "remove " + victim);
      cluster.stop(victim);
    }
    assertThat(committedMembership().voters()).hasSize(3);

    // Replace a killed node.
    NodeId dead = someFollower();
    cluster.stop(dead);
    NodeId fresh = NodeId.of("n6");
    cluster.join(fresh);
    change(l -> l.addLearner(fresh, cluster.address(fresh)), m -> m.contains(fresh), "add n6");
    change(l -> l.promote(fresh), m -> m.isVoter(fresh), "promote n6");
    change(l -> l.removeMember(dead), m -> !m.contains(dead), "remove " + dead);
    Membership last = committedMembership();
    assertThat(last.voters()).hasSize(3).contains(fresh).doesNotContain(dead);

    Thread.sleep(500); // clients keep going on the final configuration
    stop = true;
    for (Thread t : clients) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    RaftNode leader = cluster.awaitLeader();
    for (String key : KEYS) {
      read(99, leader, key);
    }
    CheckResult<KvOp<String, String>, Reply<String>> result =
        LinearizabilityChecker.parallel(2)
            .check(history.history(), KvModel.create(), Duration.ofSeconds(120));
    System.out.printf(
        "MembershipClusterTest %s: %d operations, %d acknowledged writes, verdict %s%n",
        context, history.history().operations().size(), acknowledged.get(), result.verdict());
    assertThat(result.verdict())
        .as(context + "\n" + result.explanation())
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(acknowledged.get()).as(context).isPositive();
  }

  private NodeId someFollower() {
    NodeId leader = cluster.awaitLeader().id();
    Membership m = committedMembership();
    return m.voters().stream()
        .filter(id -> !id.equals(leader) && cluster.running().containsKey(id))
        .findFirst()
        .orElseThrow();
  }

  private Membership committedMembership() {
    RaftStatus s = cluster.awaitLeader().status();
    return s.membership();
  }

  /** Retries {@code op} at the current leader until {@code done} holds for the committed config. */
  private void change(
      Function<RaftNode, CompletableFuture<CommittedMembership>> op,
      Predicate<Membership> done,
      String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Throwable lastError = null;
    while (System.nanoTime() < deadline) {
      RaftNode leader = cluster.awaitLeader();
      RaftStatus s = leader.status();
      if (s.commitIndex() >= s.membershipIndex() && done.test(s.membership())) {
        return;
      }
      try {
        CommittedMembership c = op.apply(leader).get(10, TimeUnit.SECONDS);
        if (done.test(c.membership())) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        lastError = e.getCause() == null ? e : e.getCause();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(what + " did not complete within 60 s", lastError);
  }

  private void runClient(int process, SplittableRandom r) {
    while (!stop) {
      String key = KEYS.get(r.nextInt(KEYS.size()));
      Optional<RaftNode> node = pickNode(r);
      if (node.isEmpty()) {
        pause();
        continue;
      }
      if (r.nextInt(3) == 0) {
        read(process, node.get(), key);
      } else {
        write(process, node.get(), key, Long.toString(values.incrementAndGet()));
      }
    }
  }

  private Optional<RaftNode> pickNode(SplittableRandom r) {
    Map<NodeId, RealCluster.Running> running = cluster.running();
    List<RaftNode> nodes = new ArrayList<>();
    running.values().forEach(x -> nodes.add(x.node()));
    if (nodes.isEmpty()) {
      return Optional.empty();
    }
    for (RaftNode n : nodes) {
      if (n.status().isLeader() && r.nextInt(10) < 8) {
        return Optional.of(n);
      }
    }
    return Optional.of(nodes.get(r.nextInt(nodes.size())));
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
      call.fail();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.fail();
    }
  }

  private void write(int process, RaftNode node, String key, String value) {
    HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call =
        history.invoke(process, KvOp.put(key, value));
    try {
      node.propose(Bytes.ofUtf8("P " + key + " " + value)).get(3, TimeUnit.SECONDS);
      acknowledged.incrementAndGet();
      call.ok(Reply.ack());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof NotLeaderException
          || cause instanceof ProposalDroppedException
          || cause instanceof NodeClosedException) {
        call.fail();
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

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
