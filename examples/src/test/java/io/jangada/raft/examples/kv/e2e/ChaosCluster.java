package io.jangada.raft.examples.kv.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Three example KV nodes as separate JVMs on free ports of 127.0.0.1, launched from the fat jar,
 * with the faults the chaos test injects: {@code kill -9}, {@code SIGSTOP}/{@code SIGCONT}, and
 * restarts. Every node keeps its data directory across restarts.
 *
 * <p>Not thread-safe except {@link #close}, which stops every process this object started (resuming
 * paused ones first); callers serialize the rest (the nemesis thread and the test thread, one after
 * the other).
 */
final class ChaosCluster implements AutoCloseable {
  static final int NODES = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path jar;
  private final Path dir;
  private final int raftBase;
  private final int httpBase;
  private final Process[] processes = new Process[NODES + 1];

  /** The node id each slot (ports and data dir) runs now: n1..n3, then fresh ids on replaces. */
  private final String[] ids = {"", "n1", "n2", "n3"};

  /** Whether a slot's node was added to the running cluster (it starts with --join). */
  private final boolean[] joined = new boolean[NODES + 1];

  private final boolean[] paused = new boolean[NODES + 1];
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  private ChaosCluster(Path jar, Path dir, int raftBase, int httpBase) {
    this.jar = jar;
    this.dir = dir;
    this.raftBase = raftBase;
    this.httpBase = httpBase;
  }

  /** Picks free ports (with {@code random}) and a fresh directory under {@code target}. */
  static ChaosCluster create(Path jar, SplittableRandom random) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int raftBase = LoopbackPorts.randomBase(random, 10);
      int httpBase = raftBase + 5;
      if (LoopbackPorts.free(raftBase + 1, NODES) && LoopbackPorts.free(httpBase + 1, NODES)) {
        Path dir = Path.of("target", "chaos-cluster-" + raftBase).toAbsolutePath();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        return new ChaosCluster(jar, dir, raftBase, httpBase);
      }
    }
    throw new IOException("no free ports found");
  }

  URI node(int i) {
    return URI.create("http://127.0.0.1:" + (httpBase + i));
  }

  List<URI> nodes() {
    List<URI> nodes = new ArrayList<>();
    for (int i = 1; i <= NODES; i++) {
      nodes.add(node(i));
    }
    return nodes;
  }

  /** The id of the node in slot {@code i}. */
  String id(int i) {
    return ids[i];
  }

  /** The slot of node {@code id}, if it runs in one. */
  Optional<Integer> slotOf(String id) {
    for (int i = 1; i <= NODES; i++) {
      if (ids[i].equals(id)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** Slot {@code i}'s Raft address, {@code host:port}. */
  String raftAddress(int i) {
    return "127.0.0.1:" + (raftBase + i);
  }

  /** Slot {@code i}'s HTTP address, {@code host:port}. */
  String httpAddress(int i) {
    return "127.0.0.1:" + (httpBase + i);
  }

  /**
   * Gives slot {@code i} a new, empty node {@code id} that starts in join mode (the old node must
   * be stopped and removed from the configuration first): its data directory is deleted.
   */
  void replaceNode(int i, String id) throws IOException {
    if (running(i)) {
      throw new IllegalStateException("slot " + i + " still runs " + ids[i]);
    }
    deleteRecursively(dir.resolve("n" + i));
    ids[i] = id;
    joined[i] = true;
  }

  private String peers() {
    StringBuilder peers = new StringBuilder();
    for (int i = 1; i <= NODES; i++) {
      peers.append(i == 1 ? "" : ",").append("n").append(i).append("=127.0.0.1:");
      peers.append(raftBase + i).append(':').append(httpBase + i);
    }
    return peers.toString();
  }

  /** Starts node {@code i} (a no-op if it runs); does not wait for it. */
  void start(int i) throws IOException {
    if (running(i)) {
      return;
    }
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> membership =
        joined[i]
            ? List.of("--join", "--raft-listen", raftAddress(i), "--http-listen", httpAddress(i))
            : List.of("--peers", peers());
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            javaBin.toString(),
            "-Xms64m",
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            jar.toString(),
            "server",
            "--id",
            ids[i]));
    command.addAll(membership);
    command.addAll(
        List.of(
            "--data-dir",
            dir.resolve("n" + i).resolve("data").toString(),
            "--tick-ms",
            "50",
            "--request-timeout-ms",
            "3000"));
    Path log = dir.resolve("n" + i + ".log");
    Files.writeString(
        log,
        "=== start " + ids[i] + " in slot " + i + " ===\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    processes[i] =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    paused[i] = false;
  }

  boolean running(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  boolean paused(int i) {
    return paused[i] && running(i);
  }

  /** {@code kill -9} of node {@code i}; waits until the process is gone. */
  void kill(int i) throws InterruptedException {
    if (processes[i] != null) {
      processes[i].destroyForcibly(); // SIGKILL on Unix
      processes[i].waitFor(10, TimeUnit.SECONDS);
      paused[i] = false;
    }
  }

  /** {@code SIGTERM} of node {@code i} (a graceful stop); waits up to 10 s, then kills it. */
  void stop(int i) throws IOException, InterruptedException {
    if (processes[i] != null && processes[i].isAlive()) {
      resume(i);
      processes[i].destroy();
      if (!processes[i].waitFor(10, TimeUnit.SECONDS)) {
        kill(i);
      }
    }
  }

  /** {@code SIGSTOP} of node {@code i}. */
  void pause(int i) throws IOException, InterruptedException {
    if (running(i)) {
      signal("-STOP", processes[i].pid());
      paused[i] = true;
    }
  }

  /** {@code SIGCONT} of node {@code i}. */
  void resume(int i) throws IOException, InterruptedException {
    if (running(i)) {
      signal("-CONT", processes[i].pid());
    }
    paused[i] = false;
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + signal + " " + pid + " failed");
    }
  }

  /** Node {@code i}'s {@code /v1/status}, or empty if it does not answer within 2 s. */
  Optional<JsonNode> status(int i) {
    return json(i, "/v1/status");
  }

  /**
   * Node {@code i}'s JSON answer to {@code GET path}, or empty if it does not answer 200 in 2 s.
   */
  Optional<JsonNode> json(int i, String path) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(node(i).resolve(path)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The node that some running node names as leader, if any. */
  Optional<Integer> leader() {
    for (int i = 1; i <= NODES; i++) {
      if (running(i) && !paused(i)) {
        Optional<JsonNode> status = status(i);
        if (status.isPresent() && status.get().path("role").asText().equals("LEADER")) {
          return Optional.of(i);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Sends a membership request to the running, unpaused slots in turn (skipping {@code skip}) until
   * one gives an answer other than 503; empty if none did.
   */
  Optional<HttpResponse<String>> members(String method, String path, String body, int skip) {
    for (int i = 1; i <= NODES; i++) {
      if (i == skip || !running(i) || paused(i)) {
        continue;
      }
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(node(i).resolve(path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 503) {
          return Optional.of(response);
        }
      } catch (IOException e) {
        // try the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** A stale (local) read of {@code key} on node {@code i}: 200 body, or empty for 404. */
  Optional<String> staleRead(int i, String key) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(node(i).resolve("/v1/kv/" + key + "?consistency=stale"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new IOException("n" + i + " stale read of " + key + ": " + response.statusCode());
    }
    return Optional.of(response.body());
  }

  /** The last {@code lines} lines of every node's log, for failure messages. */
  String logTails(int lines) {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= NODES; i++) {
      Path log = dir.resolve("n" + i + ".log");
      try {
        List<String> all = Files.readAllLines(log);
        text.append("\n--- n").append(i).append(".log (tail) ---\n");
        all.subList(Math.max(0, all.size() - lines), all.size())
            .forEach(l -> text.append(l).append('\n'));
      } catch (IOException e) {
        text.append("\n--- n").append(i).append(".log: ").append(e).append('\n');
      }
    }
    return text.toString();
  }

  Path dir() {
    return dir;
  }

  /** Resumes and kills every process this cluster started. Idempotent. */
  @Override
  public synchronized void close() {
    for (int i = 1; i <= NODES; i++) {
      Process process = processes[i];
      if (process != null && process.isAlive()) {
        try {
          signal("-CONT", process.pid());
        } catch (IOException | InterruptedException e) {
          // killing it below is what matters
        }
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
