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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A client of the cluster's membership API ({@code /v1/members}): reads the configuration and adds,
 * promotes and removes members. Any node takes a change (followers relay it to the leader). A node
 * that cannot be reached or answers {@code 503} (no leader, node starting) is skipped for the next
 * one, until the deadline. A change is never resent after it may have reached a node (a lost
 * connection, a timeout, a {@code 504}): it fails with {@link KvClientException#outcomeUnknown()},
 * and the caller reads the configuration again, since resending a change that took effect would be
 * refused ({@code 409}/{@code 404}).
 *
 * <p>Thread-safe; methods block until the answer or the deadline.
 */
public final class MembersClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> nodes;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param nodes base URLs of (some of) the cluster's nodes, e.g. {@code http://127.0.0.1:8101}
   * @param timeout how long one call may take in total, retries included
   */
  public MembersClient(List<URI> nodes, Duration timeout) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("at least one node URL is needed");
    }
    this.nodes = List.copyOf(nodes);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The configuration as the first node that answers knows it ({@code GET /v1/members}). */
  public JsonNode members() {
    return send("GET", "/v1/members", null, false);
  }

  /** Adds {@code id} as a learner; {@code raft} and {@code http} are {@code host:port}. */
  public JsonNode add(String id, String raft, String http) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("raft", raft);
    body.put("http", http);
    try {
      return send("POST", "/v1/members", JSON.writeValueAsBytes(body), true);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("JSON encoding failed", e);
    }
  }

  /** Makes the learner {@code id} a voter (409 while it has not caught up). */
  public JsonNode promote(String id) {
    return send("POST", "/v1/members/" + encode(id) + "/promote", new byte[0], true);
  }

  /** Removes the member {@code id} (a voter, possibly the leader, or a learner). */
  public JsonNode remove(String id) {
    return send("DELETE", "/v1/members/" + encode(id), null, true);
  }

  private JsonNode send(String method, String path, byte[] body, boolean change) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem = "no attempt";
    String lastAnswer =
        ""; // the last answer a node gave, kept when a later attempt fails to connect
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      URI target = nodes.get(attempt % nodes.size()).resolve(path);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      if (body != null && body.length > 0) {
        request.header("Content-Type", "application/json");
      }
      try {
        HttpResponse<byte[]> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status == 200) {
          return json(response);
        }
        if (status != 503 && (status != 504 || change)) {
          throw new KvClientException(status, "HTTP " + status + ": " + KvClient.errorOf(response));
        }
        lastProblem =
            target.getAuthority() + " answered " + status + ": " + KvClient.errorOf(response);
        lastAnswer = lastProblem;
      } catch (IOException e) {
        lastProblem = target.getAuthority() + ": " + e;
        if (change
            && !(e instanceof ConnectException || e instanceof HttpConnectTimeoutException)) {
          throw new KvClientException(0, "outcome unknown: " + lastProblem, true);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KvClientException(0, "interrupted", change);
      }
      try {
        Thread.sleep(Math.min(100L * (attempt + 1), 500L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KvClientException(0, "interrupted", change);
      }
    }
    // Every attempt was refused at connection or answered 503 (a change that may have reached a
    // node fails above without a retry): nothing was changed.
    throw new KvClientException(0, KvClient.gaveUp(timeout, lastAnswer, lastProblem), false);
  }

  private static JsonNode json(HttpResponse<byte[]> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new KvClientException(response.statusCode(), "malformed JSON answer: " + e);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
