package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Limits, malformed input, slow clients, health and admin endpoints of the HTTP API (issue 12 bugs
 * 5, 6, 7; issue 14), against three in-memory Raft nodes with the documented 1 MiB value limit.
 */
class KvHttpOperabilityTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_VALUE = 1 << 20;
  private final HttpClient direct =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private HttpCluster cluster;

  @BeforeEach
  void start() throws IOException {
    cluster = new HttpCluster(17, new KvHttpServer.Options(MAX_VALUE, Duration.ofSeconds(10), 8));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** A request that needs no virtual time (answered by the HTTP layer alone). */
  private HttpResponse<String> directGet(NodeId node, String path) throws Exception {
    return direct.send(
        HttpRequest.newBuilder(cluster.urls.get(node).resolve(path))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aValueOfExactlyTheMaximumIsAcceptedAndOneByteMoreIs413() throws Exception {
    NodeId leader = cluster.leader();
    String max = "x".repeat(MAX_VALUE);
    HttpResponse<String> put = cluster.put(leader, "/v1/kv/big?prevExist=false", max);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(cluster.get(cluster.follower(), "/v1/kv/big").body()).hasSize(MAX_VALUE);

    HttpResponse<String> tooBig = cluster.put(leader, "/v1/kv/big2", max + "y");
    assertThat(tooBig.statusCode()).as(tooBig.body()).isEqualTo(413);
    assertThat(tooBig.headers().firstValue("Retry-After")).isEmpty();
  }

  /**
   * A refused body is read to its end before the 413 is written: had the server answered and closed
   * while the client was still sending, the client could see a connection reset instead of the 413
   * (CI saw "header parser received no bytes"). The connection then carries the next request.
   */
  @Test
  void anOversizedBodyIsDrainedSoThe413ArrivesAndTheConnectionCarriesOn() throws Exception {
    URI base = cluster.urls.get(cluster.ids().get(0));
    byte[] body = new byte[MAX_VALUE + 1];
    java.util.Arrays.fill(body, (byte) 'z');
    String chunkedHead = Integer.toHexString(body.length) + "\r\n";
    for (boolean chunked : new boolean[] {false, true}) {
      try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length;
        out.write(
            ("PUT /v1/kv/big HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + framing
                    + "\r\n\r\n"
                    + (chunked ? chunkedHead : ""))
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.write(
            ((chunked ? "\r\n0\r\n\r\n" : "")
                    + "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String answers = readUntil(socket.getInputStream(), "\"commitIndex\"");
        assertThat(answers).as("chunked=%s", chunked).startsWith("HTTP/1.1 413");
        assertThat(answers.indexOf("HTTP/1.1 200"))
            .as("chunked=%s: %s", chunked, answers)
            .isGreaterThan(0);
      }
    }
  }

  /**
   * A value that arrives in two parts, the second after the server has read the headers and the
   * first, is stored whole: what the server read before the rest arrived is handed back to the body
   * reader ({@link ArrivedBody}), not lost.
   */
  @Test
  void aBodyThatArrivesInPartsIsStoredWhole() throws Exception {
    NodeId leader = cluster.leader();
    URI base = cluster.urls.get(leader);
    try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "PUT /v1/kv/parts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nfirst"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(200); // the server reads the headers and the first part meanwhile
      out.write("-half".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer =
          cluster.pump(
              () ->
                  CompletableFuture.supplyAsync(
                      () -> {
                        try {
                          return readUntil(socket.getInputStream(), "}");
                        } catch (IOException e) {
                          throw new UncheckedIOException(e);
                        }
                      }));
      assertThat(answer).startsWith("HTTP/1.1 200");
    }
    assertThat(cluster.get(leader, "/v1/kv/parts").body()).isEqualTo("first-half");
  }

  /**
   * A write whose body is still arriving when the node stops (a rolling restart) is not the
   * client's fault: it gets a retryable 503, not a 400 that tells the client not to send it again.
   */
  @Test
  void aBodyCutOffByTheNodeStoppingIs503Not400() throws Exception {
    NodeId node = cluster.ids().get(0);
    URI base = cluster.urls.get(node);
    try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "PUT /v1/kv/cut HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nfirst"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(200); // the server reads the headers and the first part meanwhile
      cluster.servers.get(node).close();
      String answer = readUntil(socket.getInputStream(), "}");
      assertThat(answer).doesNotStartWith("HTTP/1.1 400");
      if (!answer.isEmpty()) {
        assertThat(answer).startsWith("HTTP/1.1 503").contains("Retry-After");
      }
    }
  }

  /** What {@code in} sends until {@code marker} (or its end), as ASCII. */
  private static String readUntil(InputStream in, String marker) throws IOException {
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[8192];
    while (text.indexOf(marker) < 0) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
    }
    return text.toString();
  }

  @Test
  void keysThatAreNotUtf8Are400AndDoNotAliasTheReplacementCharacter() throws Exception {
    NodeId leader = cluster.leader();
    for (String bad : new String[] {"%ff", "%fe", "a%C3", "%C3%28", "%c0%af"}) {
      HttpResponse<String> put = cluster.put(leader, "/v1/kv/" + bad, "v");
      assertThat(put.statusCode()).as("PUT %s: %s", bad, put.body()).isEqualTo(400);
      assertThat(JSON.readTree(put.body()).get("error").asText()).contains("malformed key");
    }
    assertThat(cluster.put(leader, "/v1/kv/%EF%BF%BD", "replacement").statusCode()).isEqualTo(200);
    assertThat(cluster.put(leader, "/v1/kv/caf%C3%A9", "ok").statusCode()).isEqualTo(200);
    assertThat(cluster.get(leader, "/v1/kv/caf%C3%A9").body()).isEqualTo("ok");
    assertThat(cluster.get(leader, "/v1/kv/%EF%BF%BD").body()).isEqualTo("replacement");
  }

  @Test
  void clientsThatNeverFinishTheirBodyDoNotFreezeTheApi() throws Exception {
    NodeId leader = cluster.leader();
    URI base = cluster.urls.get(leader);
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 70; i++) {
        Socket socket = new Socket("127.0.0.1", base.getPort());
        OutputStream out = socket.getOutputStream();
        out.write(
            ("PUT /v1/kv/slow"
                    + i
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nab")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        stalled.add(socket);
      }
      HttpResponse<String> status = directGet(leader, "/v1/status");
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(cluster.put(leader, "/v1/kv/fast", "v").statusCode()).isEqualTo(200);
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  @Test
  void aGarbageRequestLineGets400AndTheConnectionIsNotHeld() throws Exception {
    URI base = cluster.urls.get(cluster.ids().get(0));
    try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(answer).isEqualTo("HTTP/1.1 400");
    }
  }

  @Test
  void readinessIs503UntilALeaderIsKnownThen200AndLivenessIs200() throws Exception {
    NodeId first = cluster.ids().get(0);
    HttpResponse<String> notReady = directGet(first, "/health/ready");
    assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
    assertThat(JSON.readTree(notReady.body()).get("problems").toString())
        .contains("no leader known");
    assertThat(directGet(first, "/health/live").statusCode()).isEqualTo(200);

    NodeId leader = cluster.leader();
    cluster.put(leader, "/v1/kv/k", "v");
    for (NodeId id : cluster.ids()) {
      HttpResponse<String> ready =
          cluster.pump(
              () ->
                  java.util.concurrent.CompletableFuture.supplyAsync(
                      () -> awaitReady(id), java.util.concurrent.ForkJoinPool.commonPool()));
      assertThat(ready.statusCode()).as("%s: %s", id, ready.body()).isEqualTo(200);
      assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();
    }
  }

  private HttpResponse<String> awaitReady(NodeId id) {
    try {
      for (int i = 0; ; i++) {
        HttpResponse<String> response = directGet(id, "/health/ready");
        if (response.statusCode() == 200 || i > 200) {
          return response;
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void adminSnapshotAnswersTheSnapshotIndex() throws Exception {
    NodeId leader = cluster.leader();
    JsonNode written = JSON.readTree(cluster.put(leader, "/v1/kv/k", "v").body());
    HttpResponse<String> snapshot =
        cluster.send(
            cluster
                .request(leader, "/v1/admin/snapshot")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(snapshot.statusCode()).as(snapshot.body()).isEqualTo(200);
    JsonNode meta = JSON.readTree(snapshot.body());
    assertThat(meta.get("index").asLong()).isGreaterThanOrEqualTo(written.get("index").asLong());
    assertThat(meta.get("node").asText()).isEqualTo(leader.value());
    assertThat(cluster.raft.node(leader).status().snapshotIndex())
        .isEqualTo(meta.get("index").asLong());
  }

  @Test
  void transferLeaderSentToAFollowerMovesTheLeader() throws Exception {
    NodeId leader = cluster.leader();
    NodeId target =
        cluster.ids().stream().filter(id -> !id.equals(leader)).reduce((a, b) -> b).orElseThrow();
    NodeId via = cluster.follower();
    HttpResponse<String> moved =
        cluster.send(
            cluster
                .request(via, "/v1/admin/transfer-leader?to=" + target.value())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(JSON.readTree(moved.body()).get("leader").asText()).isEqualTo(target.value());
    assertThat(cluster.leader()).isEqualTo(target);

    HttpResponse<String> bad =
        cluster.send(
            cluster
                .request(target, "/v1/admin/transfer-leader?to=nobody")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
  }
}
