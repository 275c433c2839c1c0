package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.Committed;
import io.jangada.raft.RaftHealth;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stopping server drains: the requests in flight when the drain begins get their usual answers,
 * new ones a 503 that sends them to another node, and the drain ends at its timeout whatever the
 * node does. Against a node whose writes and reads complete only when the test says so.
 */
class KvHttpDrainTest {

  private static final NodeId SELF = NodeId.of("n1");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Holds every proposal and query until the test completes it. */
  private static final class HeldNode extends LeaderAloneNode {
    final BlockingQueue<CompletableFuture<Bytes>> queried = new LinkedBlockingQueue<>();

    HeldNode() {
      super(SELF);
    }

    @Override
    public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
      CompletableFuture<Bytes> future = new CompletableFuture<>();
      queried.add(future);
      return future;
    }

    @Override
    public RaftHealth health() {
      return new RaftHealth(true, true, List.of());
    }
  }

  private final HeldNode node = new HeldNode();
  private final HttpClient client = HttpClient.newHttpClient();
  private KvHttpServer server;
  private int port; // KvHttpServer.port() is -2 once the drain closed the listening socket

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(Duration requestTimeout, Duration drainTimeout) throws IOException {
    server =
        KvHttpServer.start(
            new HostPort("127.0.0.1", 0),
            SELF,
            node,
            Map.of(),
            new KvHttpServer.Options(1 << 20, requestTimeout, 4, drainTimeout));
    port = server.port();
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private CompletableFuture<HttpResponse<String>> putAsync(String key, String value) {
    return client.sendAsync(
        HttpRequest.newBuilder(url("/v1/kv/" + key))
            .PUT(HttpRequest.BodyPublishers.ofString(value))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void requestsInFlightWhenTheDrainBeginsGetTheirAnswersAndNewOnesA503() throws Exception {
    start(Duration.ofSeconds(30), Duration.ofSeconds(30));
    // Two connections that already carried a request, as a client's keep-alive pool has them.
    try (Socket first = keptAlive();
        Socket second = keptAlive()) {
      CompletableFuture<HttpResponse<String>> put = putAsync("k", "v");
      CompletableFuture<Committed> commit = node.proposed.poll(10, TimeUnit.SECONDS);
      assertThat(commit).as("the PUT was proposed").isNotNull();
      CompletableFuture<HttpResponse<String>> get =
          client.sendAsync(
              HttpRequest.newBuilder(url("/v1/kv/k")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      CompletableFuture<Bytes> read = node.queried.poll(10, TimeUnit.SECONDS);
      assertThat(read).as("the GET reached the node").isNotNull();

      CompletableFuture<Boolean> drain = CompletableFuture.supplyAsync(server::drain);
      awaitRefused(); // the drain has begun: new connections are refused

      String refused = exchange(first, "PUT /v1/kv/late HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
      assertStopping(refused);
      String notReady = exchange(second, "GET /health/ready HTTP/1.1\r\n\r\n");
      assertStopping(notReady);
      assertThat(node.proposed).as("the late PUT was not proposed").isEmpty();
      assertThat(drain).as("the drain waits for the requests in flight").isNotDone();

      commit.complete(new Committed(7, 2, KvCodec.encode(new KvResult.Ok())));
      HttpResponse<String> putAnswer = put.get(10, TimeUnit.SECONDS);
      assertThat(putAnswer.statusCode()).as(putAnswer.body()).isEqualTo(200);
      assertThat(JSON.readTree(putAnswer.body()).get("index").asLong()).isEqualTo(7);
      assertThat(drain).as("the GET is still in flight").isNotDone();

      read.complete(KvCodec.encode(new KvResult.Value(Bytes.copyOf("v".getBytes()))));
      HttpResponse<String> getAnswer = get.get(10, TimeUnit.SECONDS);
      assertThat(getAnswer.statusCode()).as(getAnswer.body()).isEqualTo(200);
      assertThat(getAnswer.body()).isEqualTo("v");
      assertThat(drain.get(10, TimeUnit.SECONDS)).as("everything in flight was answered").isTrue();
    }
  }

  @Test
  void theDrainEndsAtItsTimeoutWhenARequestInFlightNeverCompletes() throws Exception {
    Duration drainTimeout = Duration.ofMillis(300);
    start(Duration.ofSeconds(30), drainTimeout);
    CompletableFuture<HttpResponse<String>> put = putAsync("k", "v");
    assertThat(node.proposed.poll(10, TimeUnit.SECONDS)).as("the PUT was proposed").isNotNull();

    long began = System.nanoTime();
    boolean drained = server.drain();
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(drained).as("a request was still in flight").isFalse();
    assertThat(took).isGreaterThanOrEqualTo(drainTimeout).isLessThan(Duration.ofSeconds(5));
    assertThat(put).as("still waiting for its commit").isNotDone();
    server.close();
    assertThatThrownBy(() -> put.get(10, TimeUnit.SECONDS))
        .as("closed without an answer")
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void aServerWithNothingInFlightDrainsAtOnceAndTwice() throws Exception {
    start(Duration.ofSeconds(30), Duration.ofSeconds(30));
    long began = System.nanoTime();
    assertThat(server.drain()).isTrue();
    assertThat(server.drain()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
  }

  private void assertStopping(String answer) throws IOException {
    assertThat(answer).startsWith("HTTP/1.1 503");
    String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
    assertThat(head).contains("retry-after: 1", "connection: close", "x-jangada-node: n1");
    JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(body.get("error").asText()).contains("stopping", "another node");
    assertThat(body.get("node").asText()).isEqualTo("n1");
  }

  /** A connection that carried one request and is kept open. */
  private Socket keptAlive() throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    assertThat(exchange(socket, "GET /v1/status HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200");
    return socket;
  }

  /**
   * Sends {@code request} (request line and headers, with Host added, then any body) on {@code
   * socket} and reads one answer with its Content-Length body.
   */
  private static String exchange(Socket socket, String request) throws IOException {
    int headEnd = request.indexOf("\r\n");
    String withHost =
        request.substring(0, headEnd) + "\r\nHost: 127.0.0.1" + request.substring(headEnd);
    OutputStream out = socket.getOutputStream();
    out.write(withHost.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder text = new StringBuilder();
    int contentLength = -1;
    while (true) {
      int end = text.indexOf("\r\n\r\n");
      if (end >= 0 && contentLength < 0) {
        for (String line : text.substring(0, end).split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            contentLength = Integer.parseInt(line.substring(15).trim());
          }
        }
      }
      if (end >= 0 && text.length() >= end + 4 + Math.max(contentLength, 0)) {
        return text.toString();
      }
      int b = in.read();
      if (b < 0) {
        return text.toString();
      }
      text.append((char) b);
    }
  }

  /** Waits (bounded) until a new connection to the server is refused. */
  private void awaitRefused() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        new Socket("127.0.0.1", port).close();
        Thread.sleep(10);
      } catch (ConnectException refused) {
        return;
      }
    }
    throw new AssertionError("new connections are still accepted 10 s after the drain began");
  }
}
