package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Relays a client request that reached a follower to the leader's HTTP API, so clients need not
 * hunt for the leader: reads the follower cannot serve and admin calls. (Writes do not come here:
 * they are library session requests, which the follower's node forwards to the leader itself.) A
 * relayed request carries {@link #FORWARDED_BY}; a node never relays such a request again, so a
 * stale leader hint cannot make requests loop.
 *
 * <p>Thread-safe; blocks the calling (HTTP worker) thread for the relay.
 */
final class LeaderForwarder {

  static final String FORWARDED_BY = "X-Jangada-Forwarded-By";
  private static final List<String> COPIED_REQUEST_HEADERS =
      List.of("Idempotency-Key", "Content-Type");
  private static final List<String> COPIED_RESPONSE_HEADERS =
      List.of("Content-Type", "Retry-After", "Location", KvHttpServer.NODE_HEADER);

  private final NodeId self;
  private final Duration timeout;
  private final HttpClient client;

  LeaderForwarder(NodeId self, Duration timeout) {
    this.self = self;
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A relayed answer. */
  record Relayed(int status, List<String[]> headers, byte[] body) {}

  static boolean isForwarded(Exchange exchange) {
    return exchange.header(FORWARDED_BY).isPresent();
  }

  /**
   * Sends the request to {@code leader}'s API and returns its answer.
   *
   * @throws HttpError 503 if the leader cannot be reached
   */
  Relayed forward(Exchange exchange, byte[] body, NodeId leader, URI leaderBase) {
    URI target = leaderBase.resolve(exchange.rawPath());
    String query = exchange.rawQuery();
    if (query != null) {
      target = URI.create(target + "?" + query);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target)
            .timeout(timeout)
            .header(FORWARDED_BY, self.value())
            .method(exchange.method(), HttpRequest.BodyPublishers.ofByteArray(body));
    for (String name : COPIED_REQUEST_HEADERS) {
      exchange.header(name).ifPresent(v -> request.header(name, v));
    }
    try {
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      List<String[]> headers = new java.util.ArrayList<>();
      for (String name : COPIED_RESPONSE_HEADERS) {
        response.headers().firstValue(name).ifPresent(v -> headers.add(new String[] {name, v}));
      }
      return new Relayed(response.statusCode(), headers, response.body());
    } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
      throw new HttpError(503, "the leader " + leader + " is unreachable: " + e)
          .with("leader", leader.value())
          .header("Retry-After", "1");
    } catch (IOException e) {
      // The request may have reached the leader: its outcome is unknown.
      throw KvHttpServer.outcomeUnknown("relaying to the leader " + leader + " failed: " + e);
    } catch (InterruptedException e) {
      // The request may already have reached the leader.
      Thread.currentThread().interrupt();
      throw KvHttpServer.outcomeUnknown("interrupted while relaying to the leader " + leader);
    }
  }
}
