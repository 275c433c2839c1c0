package io.jangada.raft.examples.kv.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.HistoryRecorder;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Operation;
import io.jangada.raft.testkit.lincheck.Outcome;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.KvModel;
import io.jangada.raft.testkit.lincheck.models.KvOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * T8 multi-process chaos (TESTING.md): three example KV nodes as separate JVMs on 127.0.0.1 while
 * four HTTP clients put, read (linearizable), compare-and-set, create and delete on a few keys; a
 * seeded nemesis meanwhile {@code kill -9}s nodes (sometimes two at once, losing the quorum) and
 * restarts them, pauses them with {@code SIGSTOP} for 1–4 s, restarts them gracefully, and changes
 * the membership (at least once per run): it replaces a node by a fresh one with a new id ("a dead
 * machine": removed, killed, its data deleted, a new node started with {@code --join} on the same
 * ports, added as a learner, promoted once caught up) or removes a node and re-adds it empty, often
 * picking the leader. At the end every node is resumed and restarted, a write must commit within a
 * bound (liveness), every node must hold the same values (stale reads at the same applied index)
 * and the recorded history must be linearizable ({@code UNKNOWN} fails too).
 *
 * <p>Runs 40 s by default; {@code -Psoak} runs 10 minutes. {@code -Djangada.chaos.seed=N} replays a
 * nemesis schedule and client choices (timing is real, so a replay is not exact), and {@code
 * -Djangada.chaos.seconds=N} sets the duration.
 */
class KvChaosIT {
  private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4");
  private static final int CLIENTS = 4;
  private static final int FINAL_READER = 100;

  private ChaosCluster cluster;
  private ChaosMembership membership;
  private final List<String> nemesisLog = new ArrayList<>();
  private int nextNodeNumber = ChaosCluster.NODES + 1;
  private int membershipChanges;
  private long startNanos;

  @AfterEach
  void stopEveryProcess() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void historyUnderKillsPausesAndRestartsIsLinearizable() throws Exception {
    long seed = Long.getLong("jangada.chaos.seed", System.nanoTime());
    boolean soak = Boolean.getBoolean("jangada.soak");
    long seconds = Long.getLong("jangada.chaos.seconds", soak ? 600 : 40);
    // Only to show that the test can fail: -Djangada.chaos.reads=stale must be caught.
    String readConsistency = System.getProperty("jangada.chaos.reads", "linearizable");
    String tag = "KvChaosIT seed=" + seed + " (replay: -Djangada.chaos.seed=" + seed + ")";
    System.out.println(tag + ", " + seconds + " s of chaos, " + readConsistency + " reads");
    SplittableRandom random = new SplittableRandom(seed);
    cluster = ChaosCluster.create(Path.of(System.getProperty("kv.jar")), random);
    membership = new ChaosMembership(cluster, line -> log("%s", line));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    startNanos = System.nanoTime();
    for (int i = 1; i <= ChaosCluster.NODES; i++) {
      cluster.start(i);
    }
    awaitLeader(tag, 60);

    HistoryRecorder<KvOp<String, String>, Reply<String>> recorder = HistoryRecorder.create();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    List<ChaosClient> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < CLIENTS; p++) {
      ChaosClient client =
          new ChaosClient(
              p, random.nextLong(), cluster.nodes(), KEYS, recorder, problems, readConsistency);
      clients.add(client);
      Thread thread = new Thread(client, "chaos-client-" + p);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }

    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    // A membership change takes 10-25 s here (a JVM starts, catches up, is promoted): force the
    // first one early and start random ones only with time left, so the run keeps its length.
    long quarter = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds / 4);
    long lastMembership = end - TimeUnit.SECONDS.toNanos(25);
    try {
      while (System.nanoTime() < end) {
        // At least one membership change per run, whatever the dice say.
        long now = System.nanoTime();
        boolean forceMembership = membershipChanges == 0 && now > quarter;
        nemesisStep(random, forceMembership, now < lastMembership);
      }
    } finally {
      clients.forEach(ChaosClient::stop);
      heal();
    }
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).as("%s: %s stopped", tag, thread.getName()).isFalse();
    }

    long livenessIndex = livenessWrite(tag);
    finalReads(tag, recorder);
    Map<String, Optional<String>> values = converged(tag, livenessIndex);

    History<KvOp<String, String>, Reply<String>> history = recorder.history();
    CheckResult<KvOp<String, String>, Reply<String>> result =
        LinearizabilityChecker.parallel(2)
            .checkingEveryPartition()
            .check(history, KvModel.create(), Duration.ofSeconds(soak ? 600 : 120));
    long retried = clients.stream().mapToLong(ChaosClient::resolvedByRetry).sum();
    String summary = summary(tag, history, result, values, retried);
    System.out.println(summary);
    assertThat(problems).as("%s: unexpected answers%n%s", tag, summary).isEmpty();
    assertThat(result.verdict())
        .as("%s%n%s%n%s", summary, result.explanation(), String.join("\n", nemesisLog))
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(countOk(history))
        .as("%s: too few operations succeeded", summary)
        .isGreaterThan(10L * seconds);
  }

  private void nemesisStep(
      SplittableRandom random, boolean forceMembership, boolean membershipAllowed)
      throws Exception {
    sleepMillis(500 + random.nextInt(2_000));
    int node = 1 + random.nextInt(ChaosCluster.NODES);
    if (random.nextBoolean()) {
      node = cluster.leader().orElse(node);
    }
    double dice = random.nextDouble();
    if (forceMembership || (membershipAllowed && dice < 0.12)) {
      membershipChanges++;
      if (random.nextBoolean()) {
        String fresh = "n" + nextNodeNumber++;
        log("replace %s (slot %d) by a fresh node %s", cluster.id(node), node, fresh);
        membership.replace(node, fresh);
      } else {
        log("remove %s (slot %d) and re-add it empty", cluster.id(node), node);
        membership.replace(node, cluster.id(node));
      }
    } else if (dice < 0.20) {
      int other = 1 + (node % ChaosCluster.NODES);
      long down = 500 + random.nextInt(2_000);
      log("kill -9 n%d and n%d (no quorum), restart both after %d ms", node, other, down);
      cluster.kill(node);
      cluster.kill(other);
      sleepMillis(down);
      cluster.start(node);
      cluster.start(other);
    } else if (dice < 0.42) {
      long down = 500 + random.nextInt(2_500);
      log("kill -9 n%d, restart after %d ms", node, down);
      cluster.kill(node);
      sleepMillis(down);
      cluster.start(node);
    } else if (dice < 0.72) {
      long pause = 1_000 + random.nextInt(3_000);
      log("SIGSTOP n%d for %d ms", node, pause);
      cluster.pause(node);
      sleepMillis(pause);
      cluster.resume(node);
    } else if (dice < 0.85) {
      log("SIGTERM n%d and restart", node);
      cluster.stop(node);
      cluster.start(node);
    } else {
      log("kill -9 n%d and restart at once", node);
      cluster.kill(node);
      cluster.start(node);
    }
  }

  private void heal() throws IOException, InterruptedException {
    log("heal: SIGCONT every node, start every dead node, make every slot's node a voter");
    for (int i = 1; i <= ChaosCluster.NODES; i++) {
      cluster.resume(i);
      cluster.start(i);
    }
    membership.ensureEverySlotVotes(System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
  }

  /** Liveness: once healed, a write must commit within 30 s. Returns its log index. */
  private long livenessWrite(String tag) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = "no attempt";
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      HttpRequest request =
          HttpRequest.newBuilder(
                  cluster.node(1 + attempt % ChaosCluster.NODES).resolve("/v1/kv/liveness"))
              .timeout(Duration.ofSeconds(5))
              .header("Idempotency-Key", "liveness-" + tag.hashCode())
              .PUT(HttpRequest.BodyPublishers.ofString("alive"))
              .build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          long index =
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(response.body())
                  .get("index")
                  .asLong();
          log("liveness write committed at index %d", index);
          return index;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      }
      sleepMillis(200);
    }
    throw new AssertionError(
        tag + ": no write committed within 30 s of healing; last: " + last + cluster.logTails(40));
  }

  /**
   * A linearizable read of every key from each node in turn, recorded, so that a lost write shows
   * in the history. Each key must be read within 30 s (a refused attempt is a recorded fail).
   */
  private void finalReads(String tag, HistoryRecorder<KvOp<String, String>, Reply<String>> recorder)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    int attempt = 0;
    for (String key : KEYS) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (int read = 0; read < ChaosCluster.NODES; ) {
        assertThat(System.nanoTime()).as("%s: final reads of %s", tag, key).isLessThan(deadline);
        int node = 1 + attempt++ % ChaosCluster.NODES;
        var call = recorder.invoke(FINAL_READER, KvOp.get(key));
        try {
          HttpResponse<String> response =
              http.send(
                  HttpRequest.newBuilder(cluster.node(node).resolve("/v1/kv/" + key))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            call.ok(Reply.value(response.body()));
            read++;
          } else if (response.statusCode() == 404) {
            call.ok(Reply.absent());
            read++;
          } else {
            call.fail();
            sleepMillis(200);
          }
        } catch (IOException e) {
          call.fail();
          sleepMillis(200);
        }
      }
    }
  }

  /**
   * Every node applied up to at least {@code index} and, at one applied index shared by all nodes,
   * holds the same value of every key (stale reads of each node's own copy).
   */
  private Map<String, Optional<String>> converged(String tag, long index) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      List<Long> before = appliedIndexes();
      List<Map<String, Optional<String>>> states = new ArrayList<>();
      for (int i = 1; i <= ChaosCluster.NODES; i++) {
        Map<String, Optional<String>> state = new TreeMap<>();
        for (String key : KEYS) {
          try {
            state.put(key, cluster.staleRead(i, key));
          } catch (IOException e) {
            state.put(key, Optional.of("<n" + i + " did not answer: " + e + ">"));
          }
        }
        states.add(state);
      }
      List<Long> after = appliedIndexes();
      last = "applied " + before + " -> " + after + ", values " + states;
      boolean stable =
          before.equals(after) && after.stream().distinct().count() == 1 && after.get(0) >= index;
      if (stable) {
        assertThat(states)
            .as("%s: nodes at the same applied index hold different values: %s", tag, last)
            .allMatch(s -> s.equals(states.get(0)));
        log("converged at applied index %d: %s", after.get(0), states.get(0));
        return states.get(0);
      }
      sleepMillis(200);
    }
    throw new AssertionError(tag + ": nodes did not converge in 60 s: " + last);
  }

  private List<Long> appliedIndexes() {
    List<Long> indexes = new ArrayList<>();
    for (int i = 1; i <= ChaosCluster.NODES; i++) {
      indexes.add(cluster.status(i).map(s -> s.path("appliedIndex").asLong()).orElse(-1L));
    }
    return indexes;
  }

  private void awaitLeader(String tag, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (cluster.leader().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            tag + ": no leader within " + seconds + " s" + cluster.logTails(30));
      }
      sleepMillis(200);
    }
  }

  private static long countOk(History<KvOp<String, String>, Reply<String>> history) {
    return history.operations().stream().filter(o -> o.outcome() instanceof Outcome.Ok).count();
  }

  private String summary(
      String tag,
      History<KvOp<String, String>, Reply<String>> history,
      CheckResult<KvOp<String, String>, Reply<String>> result,
      Map<String, Optional<String>> values,
      long retried) {
    long ok = 0;
    long fail = 0;
    long info = 0;
    for (Operation<KvOp<String, String>, Reply<String>> op : history.operations()) {
      if (op.outcome() instanceof Outcome.Ok) {
        ok++;
      } else if (op.outcome() instanceof Outcome.Fail) {
        fail++;
      } else {
        info++;
      }
    }
    return String.format(
        "%s: %d operations (ok %d, fail %d, info %d; %d writes resolved by an idempotent retry),"
            + " %d nemesis events, %d s; verdict %s (%d ms); final values %s",
        tag,
        history.operations().size(),
        ok,
        fail,
        info,
        retried,
        nemesisLog.size(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos),
        result.verdict(),
        result.elapsed().toMillis(),
        values);
  }

  private void log(String format, Object... args) {
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    String line = String.format("[%6d ms] ", ms) + String.format(format, args);
    nemesisLog.add(line);
    System.out.println("KvChaosIT " + line);
  }

  private static void sleepMillis(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }
}
