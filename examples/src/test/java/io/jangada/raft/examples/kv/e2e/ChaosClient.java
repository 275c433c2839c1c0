package io.jangada.raft.examples.kv.e2e;

import io.jangada.raft.testkit.lincheck.HistoryRecorder;
import io.jangada.raft.testkit.lincheck.models.KvOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client of the chaos test: a loop of put, linearizable get, compare-and-set, create and delete
 * on a few keys over the example's HTTP API, each recorded in a shared history.
 *
 * <p>Outcomes follow the API's contract: {@code 200} is ok; {@code 412} is an ok "not applied"; a
 * {@code 404} delete is ok (deleting an absent key is a no-op); {@code 503} means the write was not
 * accepted (fail). A connection error, a timeout, a {@code 504} or another {@code 5xx} leaves a
 * write's outcome unknown: the client retries it under the same {@code Idempotency-Key} (at any
 * node) until a deadline; if an attempt is finally acknowledged the write is one ok operation,
 * otherwise it is info. A read that does not answer {@code 200}/{@code 404} is a fail (reads change
 * nothing). Any other answer is a protocol problem the test reports.
 *
 * <p>Runs on its own thread ({@link #run}); {@link #stop} asks it to finish its current operation.
 */
final class ChaosClient implements Runnable {
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(2_500);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final int process;
  private final SplittableRandom random;
  private final List<URI> nodes;
  private final List<String> keys;
  private final HistoryRecorder<KvOp<String, String>, Reply<String>> recorder;
  private final ConcurrentLinkedQueue<String> problems;
  private final String idPrefix;
  private final String readConsistency;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Map<String, String> lastSeen = new HashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private int sequence;
  private volatile long resolvedByRetry;

  ChaosClient(
      int process,
      long seed,
      List<URI> nodes,
      List<String> keys,
      HistoryRecorder<KvOp<String, String>, Reply<String>> recorder,
      ConcurrentLinkedQueue<String> problems,
      String readConsistency) {
    this.process = process;
    this.readConsistency = readConsistency;
    this.random = new SplittableRandom(seed);
    this.nodes = List.copyOf(nodes);
    this.keys = List.copyOf(keys);
    this.recorder = recorder;
    this.problems = problems;
    this.idPrefix = "chaos-" + Long.toHexString(seed) + "-p" + process + "-";
  }

  /** Writes whose first attempt had an unknown outcome but a retry under the same key answered. */
  long resolvedByRetry() {
    return resolvedByRetry;
  }

  void stop() {
    stopped.set(true);
  }

  @Override
  public void run() {
    while (!stopped.get()) {
      try {
        step();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        problems.add("p" + process + ": " + e);
        return;
      }
    }
  }

  private void step() throws InterruptedException {
    String key = keys.get(random.nextInt(keys.size()));
    int node = random.nextInt(nodes.size());
    String value = "p" + process + "-" + (++sequence);
    double dice = random.nextDouble();
    if (dice < 0.40) {
      read(node, key);
    } else if (dice < 0.65) {
      write(node, KvOp.put(key, value), "/v1/kv/" + key, "PUT", value);
    } else if (dice < 0.90) {
      Optional<String> expected = Optional.ofNullable(lastSeen.get(key));
      if (expected.isPresent()) {
        write(
            node,
            KvOp.cas(key, expected.get(), value),
            "/v1/kv/" + key + "?prevValue=" + expected.get(),
            "PUT",
            value);
      } else {
        write(node, KvOp.create(key, value), "/v1/kv/" + key + "?prevExist=false", "PUT", value);
      }
    } else {
      write(node, KvOp.delete(key), "/v1/kv/" + key, "DELETE", "");
    }
  }

  private void read(int node, String key) throws InterruptedException {
    KvOp<String, String> op = KvOp.get(key);
    HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call = recorder.invoke(process, op);
    HttpResponse<String> response;
    try {
      response =
          send(
              node,
              "/v1/kv/" + key + "?consistency=" + readConsistency,
              "GET",
              "",
              Optional.empty());
    } catch (IOException e) {
      call.fail();
      return;
    }
    if (response.statusCode() == 200) {
      call.ok(Reply.value(response.body()));
      lastSeen.put(key, response.body());
    } else if (response.statusCode() == 404) {
      call.ok(Reply.absent());
      lastSeen.remove(key);
    } else {
      call.fail();
      if (response.statusCode() < 500) {
        problems.add("p" + process + " GET " + key + ": " + describe(response));
      }
    }
  }

  private void write(
      int firstNode, KvOp<String, String> op, String pathAndQuery, String method, String value)
      throws InterruptedException {
    String idempotencyKey = idPrefix + sequence;
    HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call = recorder.invoke(process, op);
    long deadline = System.nanoTime() + RETRY_NANOS;
    int node = firstNode;
    boolean indeterminate = false;
    while (true) {
      HttpResponse<String> response = null;
      try {
        response = send(node, pathAndQuery, method, value, Optional.of(idempotencyKey));
      } catch (IOException e) {
        indeterminate = true;
      }
      if (response != null) {
        int status = response.statusCode();
        if (indeterminate && (status == 200 || status == 404 || status == 412)) {
          resolvedByRetry++;
        }
        if (status == 200 || (status == 404 && op instanceof KvOp.Delete)) {
          call.ok(
              op instanceof KvOp.Put || op instanceof KvOp.Delete ? Reply.ack() : applied(true));
          observeWrite(op);
          return;
        } else if (status == 412 && (op instanceof KvOp.Cas || op instanceof KvOp.Create)) {
          call.ok(applied(false));
          lastSeen.remove(op.key()); // learn the current value by reading
          return;
        } else if (status == 503 && !indeterminate) {
          call.fail(); // not accepted, nothing appended: the API's contract for 503
          return;
        } else if (status >= 500) {
          indeterminate = true;
        } else {
          problems.add("p" + process + " " + op + ": " + describe(response));
          call.info();
          return;
        }
      }
      if (stopped.get() || System.nanoTime() > deadline) {
        call.info();
        return;
      }
      // Retry the same write (same Idempotency-Key) at the next node.
      node = (node + 1) % nodes.size();
      Thread.sleep(100);
    }
  }

  private void observeWrite(KvOp<String, String> op) {
    if (op instanceof KvOp.Put<String, String> put) {
      lastSeen.put(put.key(), put.value());
    } else if (op instanceof KvOp.Cas<String, String> cas) {
      lastSeen.put(cas.key(), cas.update());
    } else if (op instanceof KvOp.Create<String, String> create) {
      lastSeen.put(create.key(), create.value());
    } else {
      lastSeen.remove(op.key());
    }
  }

  private static Reply<String> applied(boolean applied) {
    return Reply.applied(applied);
  }

  private HttpResponse<String> send(
      int node, String pathAndQuery, String method, String body, Optional<String> idempotencyKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(nodes.get(node).resolve(pathAndQuery))
            .timeout(REQUEST_TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    idempotencyKey.ifPresent(k -> request.header("Idempotency-Key", k));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String describe(HttpResponse<String> response) {
    return response.statusCode() + " " + response.body();
  }
}
