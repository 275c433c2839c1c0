package io.jangada.raft.examples.kv.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of the key-value cluster's HTTP API that finds the leader by itself: it starts with the
 * node that answered last, follows {@code 307} redirects, and on a connection failure, a {@code
 * 503}, or a {@code 500} from a node that failed ({@code "nodeFailed": true}: its storage or state
 * machine failed, and it refused the request before its log) tries the next node, until its
 * deadline. Every write carries a fresh {@code Idempotency-Key} that is reused on each retry, so a
 * retried write applies at most once. Without idempotent writes, a write whose request may have
 * been sent (connection lost after connecting, timeout, {@code 504}, any other {@code 500}) is not
 * resent: it fails with {@link KvClientException#outcomeUnknown()} (or the {@code 500}). Reads, and
 * writes with a key, are also resent to the next node after any other {@code 500}.
 *
 * <p>Thread-safe; methods block until the answer or the deadline.
 */
public final class KvClient implements KvStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> nodes;
  private final Duration timeout;
  private final HttpClient http;
  private final boolean idempotentWrites;
  private final AtomicInteger preferred = new AtomicInteger();

  /**
   * The outcome of a successful write: where it sits in the replicated log (0 and 0 when the client
   * cannot tell, see {@link KvRaftClient}).
   */
  public record Written(long index, long term) {}

  /** The outcome of a compare-and-set: success, or the value found instead. */
  public record CasResult(boolean succeeded, Optional<String> current) {}

  /**
   * @param nodes base URLs of the cluster's nodes, e.g. {@code http://127.0.0.1:8101}
   * @param timeout how long one call may take in total, retries included
   * @param idempotentWrites whether writes carry an {@code Idempotency-Key} (exactly-once retries)
   */
  public KvClient(List<URI> nodes, Duration timeout, boolean idempotentWrites) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("at least one node URL is needed");
    }
    this.nodes = List.copyOf(nodes);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.idempotentWrites = idempotentWrites;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A client with idempotent writes and a 15-second deadline. */
  public KvClient(List<URI> nodes) {
    this(nodes, Duration.ofSeconds(15), true);
  }

  /** Sets {@code key} to {@code value}. */
  @Override
  public Written put(String key, byte[] value) {
    return written(expect(send("PUT", kvPath(key), value, true), 200));
  }

  /** Sets {@code key} only if it holds {@code expected} (or, if empty, only if it is absent). */
  @Override
  public CasResult cas(String key, Optional<String> expected, byte[] value) {
    String path =
        kvPath(key) + expected.map(e -> "?prevValue=" + encode(e)).orElse("?prevExist=false");
    HttpResponse<byte[]> response = send("PUT", path, value, true);
    if (response.statusCode() == 412) {
      JsonNode body = json(response);
      Optional<String> current = Optional.ofNullable(body.get("current")).map(JsonNode::asText);
      if (current.isEmpty() && body.hasNonNull("currentBase64")) { // not UTF-8: shown lossily
        byte[] raw = Base64.getDecoder().decode(body.get("currentBase64").asText());
        current = Optional.of(new String(raw, StandardCharsets.UTF_8));
      }
      return new CasResult(false, current);
    }
    expect(response, 200);
    return new CasResult(true, Optional.empty());
  }

  /** The value of {@code key}, if present ({@code consistency}: linearizable, lease or stale). */
  @Override
  public Optional<byte[]> get(String key, String consistency) {
    HttpResponse<byte[]> response =
        send("GET", kvPath(key) + "?consistency=" + encode(consistency), new byte[0], false);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(expect(response, 200).body());
  }

  /** A linearizable read of {@code key}. */
  public Optional<byte[]> get(String key) {
    return get(key, "linearizable");
  }

  /** Deletes {@code key}; false if it was absent. */
  @Override
  public boolean delete(String key) {
    HttpResponse<byte[]> response = send("DELETE", kvPath(key), new byte[0], true);
    if (response.statusCode() == 404) {
      return false;
    }
    expect(response, 200);
    return true;
  }

  /** The status of the first node that answers. */
  public JsonNode status() {
    return json(expect(send("GET", "/v1/status", new byte[0], false), 200));
  }

  /** The status of one node. */
  public JsonNode status(URI node) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(node.resolve("/v1/status")).timeout(timeout).GET().build();
    return json(expect(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), 200));
  }

  /**
   * Asks the leader to hand leadership to node {@code to} (sent to any node; followers relay).
   * Returns the answer, {@code {"leader","term"}}.
   */
  public JsonNode transferLeader(String to) {
    return json(
        expect(
            send("POST", "/v1/admin/transfer-leader?to=" + encode(to), new byte[0], false), 200));
  }

  /** Takes a snapshot on {@code node} now; returns {@code {"index","term","node"}}. */
  public JsonNode snapshot(URI node) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(node.resolve("/v1/admin/snapshot"))
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    return json(expect(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), 200));
  }

  /** Whether {@code node} reports itself ready ({@code GET /health/ready} answers 200). */
  public boolean ready(URI node) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(node.resolve("/health/ready")).timeout(timeout).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
  }

  /** The nodes this client knows. */
  public List<URI> nodes() {
    return nodes;
  }

  /** How long one call may take in total, retries included. */
  public Duration timeout() {
    return timeout;
  }

  private HttpResponse<byte[]> send(String method, String path, byte[] body, boolean write) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<String> idempotencyKey =
        write && idempotentWrites ? Optional.of(UUID.randomUUID().toString()) : Optional.empty();
    int attempt = 0;
    URI target = nodes.get(Math.floorMod(preferred.get(), nodes.size())).resolve(path);
    String lastProblem = "no attempt";
    String lastAnswer =
        ""; // the last answer a node gave, kept when a later attempt fails to connect
    // Whether an attempt of this write may have reached a node that could apply it.
    boolean mayHaveReached = false;
    while (System.nanoTime() < deadline) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
              .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      idempotencyKey.ifPresent(k -> request.header("Idempotency-Key", k));
      try {
        HttpResponse<byte[]> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status == 307 && response.headers().firstValue("Location").isPresent()) {
          target = target.resolve(response.headers().firstValue("Location").get());
          continue;
        }
        boolean resendable = !write || idempotencyKey.isPresent();
        boolean retryable =
            status == 503
                || ((status == 504 || status == 500) && resendable)
                || (status == 500 && nodeFailed(response));
        if (!retryable) {
          remember(target);
          return response;
        }
        lastProblem = target.getAuthority() + " answered " + status + ": " + errorOf(response);
        lastAnswer = lastProblem;
        mayHaveReached |= write && status != 503 && !nodeFailed(response);
      } catch (IOException e) {
        lastProblem = target.getAuthority() + ": " + e;
        boolean connected =
            !(e instanceof ConnectException || e instanceof HttpConnectTimeoutException);
        mayHaveReached |= write && connected;
        if (write && idempotencyKey.isEmpty() && connected) {
          // The request may have reached the node: resending it without a key could apply it
          // twice, so stop here and report the outcome as unknown (status 0).
          throw new KvClientException(0, "outcome unknown: " + lastProblem, true);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KvClientException(0, "interrupted", write);
      }
      attempt++;
      target = nodes.get(Math.floorMod(preferred.get() + attempt, nodes.size())).resolve(path);
      sleep(Math.min(50L * attempt, 500L), write);
    }
    throw new KvClientException(0, gaveUp(timeout, lastAnswer, lastProblem), mayHaveReached);
  }

  /**
   * Why a request failed at its deadline: the last answer a node gave, if any, comes first (a later
   * connection failure to another node would hide why the nodes that answered refused).
   */
  static String gaveUp(Duration timeout, String lastAnswer, String lastProblem) {
    if (lastAnswer.isEmpty()) {
      return "no node answered within " + timeout + "; last: " + lastProblem;
    }
    return "no node completed the request within "
        + timeout
        + "; last answer: "
        + lastAnswer
        + (lastAnswer.equals(lastProblem) ? "" : "; last attempt: " + lastProblem);
  }

  private void remember(URI target) {
    for (int i = 0; i < nodes.size(); i++) {
      if (Objects.equals(nodes.get(i).getAuthority(), target.getAuthority())) {
        preferred.set(i);
        return;
      }
    }
  }

  private static void sleep(long millis, boolean write) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvClientException(0, "interrupted", write);
    }
  }

  private static HttpResponse<byte[]> expect(HttpResponse<byte[]> response, int status) {
    if (response.statusCode() != status) {
      throw new KvClientException(
          response.statusCode(), "HTTP " + response.statusCode() + ": " + errorOf(response));
    }
    return response;
  }

  /** Whether a 500 says the node has failed and refused the request before its log. */
  private static boolean nodeFailed(HttpResponse<byte[]> response) {
    try {
      return JSON.readTree(response.body()).path("nodeFailed").asBoolean(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The {@code error} text of a JSON error answer, or the raw body if it is not one. */
  static String errorOf(HttpResponse<byte[]> response) {
    try {
      JsonNode error = JSON.readTree(response.body()).get("error");
      if (error != null) {
        return error.asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: show the raw text
    }
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static Written written(HttpResponse<byte[]> response) {
    JsonNode body = json(response);
    return new Written(body.path("index").asLong(), body.path("term").asLong());
  }

  private static JsonNode json(HttpResponse<byte[]> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new KvClientException(response.statusCode(), "malformed JSON answer: " + e);
    }
  }

  private static String kvPath(String key) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    return "/v1/kv/" + encode(key).replace("+", "%20");
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
