package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API against three real in-memory Raft nodes. */
class KvHttpServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpCluster cluster;

  @BeforeEach
  void start() throws IOException {
    cluster = new HttpCluster(7, new KvHttpServer.Options(1024, Duration.ofSeconds(10), 8));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(response.body());
  }

  @Test
  void putThenGetFromEveryNode() throws IOException {
    NodeId leader = cluster.leader();
    HttpResponse<String> put = cluster.put(leader, "/v1/kv/greeting", "hello");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    JsonNode written = json(put);
    assertThat(written.get("index").asLong()).isPositive();
    assertThat(written.get("term").asLong()).isPositive();
    for (NodeId id : cluster.ids()) {
      HttpResponse<String> get = cluster.get(id, "/v1/kv/greeting");
      assertThat(get.statusCode()).as("GET via %s: %s", id, get.body()).isEqualTo(200);
      assertThat(get.body()).isEqualTo("hello");
      assertThat(get.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    }
  }

  @Test
  void writesToAFollowerAreForwardedByTheLibraryAndAnsweredByTheFollower() throws IOException {
    NodeId leader = cluster.leader();
    NodeId follower = cluster.follower();
    HttpResponse<String> put = cluster.put(follower, "/v1/kv/k", "v");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    // No HTTP relay: the follower's node forwarded the session request and applied it itself,
    // so the follower answers and already serves the write even to a stale read.
    assertThat(put.headers().firstValue(KvHttpServer.NODE_HEADER)).hasValue(follower.value());
    assertThat(cluster.get(follower, "/v1/kv/k?consistency=stale").body()).isEqualTo("v");
    HttpResponse<String> get = cluster.get(follower, "/v1/kv/k?consistency=linearizable");
    assertThat(get.body()).isEqualTo("v");
    HttpResponse<String> delete = cluster.delete(follower, "/v1/kv/k");
    assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
    assertThat(cluster.get(leader, "/v1/kv/k").statusCode()).isEqualTo(404);
  }

  @Test
  void everyConsistencyLevelReadsAnAcknowledgedWriteOnTheLeader() {
    NodeId leader = cluster.leader();
    cluster.put(leader, "/v1/kv/x", "1");
    for (String mode : new String[] {"linearizable", "lease", "stale", "LEASE"}) {
      HttpResponse<String> get = cluster.get(leader, "/v1/kv/x?consistency=" + mode);
      assertThat(get.statusCode()).as(mode + ": " + get.body()).isEqualTo(200);
      assertThat(get.body()).isEqualTo("1");
    }
  }

  @Test
  void missingKeysAre404() throws IOException {
    NodeId leader = cluster.leader();
    HttpResponse<String> get = cluster.get(leader, "/v1/kv/nothing");
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(json(get).get("error").asText()).contains("not found");
    assertThat(cluster.delete(leader, "/v1/kv/nothing").statusCode()).isEqualTo(404);
  }

  /**
   * HEAD is every GET without its body (RFC 9110: servers must support it): same status and
   * headers, and nothing after the headers, so the next answer on the connection follows at once.
   */
  @Test
  void headAnswersLikeGetWithoutTheBody() throws IOException {
    NodeId leader = cluster.leader();
    assertThat(cluster.put(leader, "/v1/kv/h", "hello").statusCode()).isEqualTo(200);
    HttpResponse<String> head =
        cluster.send(
            cluster
                .request(leader, "/v1/kv/h")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).hasValue("5");
    assertThat(head.headers().firstValue(KvHttpServer.NODE_HEADER)).hasValue(leader.value());
    assertThat(
            cluster
                .send(
                    cluster
                        .request(leader, "/v1/kv/nothing")
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build())
                .statusCode())
        .isEqualTo(404);

    // On the wire: two HEADs and a GET on one connection; only the GET's body is sent.
    String wire =
        cluster.raw(
            leader,
            "HEAD /v1/kv/h HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /v1/kv/h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            false);
    String[] answers = wire.split("\r\n\r\n", -1);
    assertThat(answers).as(wire).hasSize(4);
    assertThat(answers[0]).startsWith("HTTP/1.1 200").contains("Content-Length: 5");
    assertThat(answers[1]).startsWith("HTTP/1.1 200").contains("Content-Length: ");
    assertThat(answers[2]).startsWith("HTTP/1.1 200").contains("Content-Length: 5");
    assertThat(answers[3]).isEqualTo("hello");
    HttpResponse<String> refused = cluster.put(leader, "/v1/status", "v");
    assertThat(refused.statusCode()).isEqualTo(405);
    assertThat(refused.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  /**
   * The errors Jetty answers before the API sees the request (a malformed escape in the path, a
   * request line too long, headers too large) are JSON with the node's header, like every other
   * answer.
   */
  @Test
  void errorsJettyAnswersItselfAreJsonAndNameTheNode() {
    NodeId leader = cluster.leader();
    for (String request :
        List.of(
            "GET /v1/kv/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /v1/kv/" + "k".repeat(40_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(40_000) + "\r\n\r\n")) {
      String answer = cluster.raw(leader, request, false);
      assertThat(answer)
          .as(answer)
          .matches("(?s)HTTP/1.1 4\\d\\d .*")
          .contains("Content-Type: application/json")
          .contains(KvHttpServer.NODE_HEADER + ": " + leader.value())
          .contains("{\"error\":");
    }
  }

  /**
   * A PUT too large by its Content-Length that waits for "100 Continue" is refused before its body
   * is sent: the client gets the 413 instead of a 100, and never uploads what would be thrown away.
   */
  @Test
  void aTooLargePutExpectingContinueIsRefusedBeforeItsBodyIsSent() {
    String wire =
        cluster.raw(
            cluster.leader(),
            "PUT /v1/kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n"
                + "Expect: 100-continue\r\n\r\n",
            true); // the first answer's headers, read before any body byte was sent
    assertThat(wire).startsWith("HTTP/1.1 413").doesNotContain("100 Continue");
  }

  @Test
  void compareAndSetAndCreateOnly() throws IOException {
    NodeId leader = cluster.leader();
    assertThat(cluster.put(leader, "/v1/kv/c?prevExist=false", "a").statusCode()).isEqualTo(200);
    HttpResponse<String> again = cluster.put(leader, "/v1/kv/c?prevExist=false", "b");
    assertThat(again.statusCode()).isEqualTo(412);
    assertThat(json(again).get("current").asText()).isEqualTo("a");
    HttpResponse<String> wrong = cluster.put(leader, "/v1/kv/c?prevValue=zzz", "b");
    assertThat(wrong.statusCode()).isEqualTo(412);
    assertThat(cluster.put(leader, "/v1/kv/c?prevValue=a", "b").statusCode()).isEqualTo(200);
    assertThat(cluster.get(leader, "/v1/kv/c").body()).isEqualTo("b");
    assertThat(cluster.put(leader, "/v1/kv/absent?prevValue=a", "b").statusCode()).isEqualTo(412);

    // A value that is not UTF-8 comes back exactly, as base64, never as replacement characters.
    byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 'x'};
    HttpResponse<String> stored =
        cluster.send(
            cluster
                .request(leader, "/v1/kv/%C3%A9")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(binary))
                .build());
    assertThat(stored.statusCode()).isEqualTo(200);
    JsonNode refused = json(cluster.put(leader, "/v1/kv/%C3%A9?prevExist=false", "b"));
    assertThat(refused.has("current")).isFalse();
    assertThat(refused.get("currentBase64").asText())
        .isEqualTo(java.util.Base64.getEncoder().encodeToString(binary));
    assertThat(refused.get("key").asText()).isEqualTo("\u00e9");
  }

  /**
   * prevValue is percent-decoded to bytes: a binary value can be compared, and bytes that are not
   * UTF-8 never stand for U+FFFD (which would make %FF match a value that holds EF BF BD).
   */
  @Test
  void compareAndSetComparesThePercentDecodedBytesOfPrevValue() throws IOException {
    NodeId leader = cluster.leader();
    assertThat(putBytes(leader, "/v1/kv/bin", new byte[] {(byte) 0xff, 0, 'x'}).statusCode())
        .isEqualTo(200);
    HttpResponse<String> swapped = cluster.put(leader, "/v1/kv/bin?prevValue=%FF%00x", "text");
    assertThat(swapped.statusCode()).as(swapped.body()).isEqualTo(200);
    assertThat(cluster.get(leader, "/v1/kv/bin").body()).isEqualTo("text");

    byte[] replacement = "\ufffd".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(putBytes(leader, "/v1/kv/r", replacement).statusCode()).isEqualTo(200);
    HttpResponse<String> other = cluster.put(leader, "/v1/kv/r?prevValue=%FF", "taken");
    assertThat(other.statusCode()).as(other.body()).isEqualTo(412);
    assertThat(cluster.get(leader, "/v1/kv/r").body()).isEqualTo("\ufffd");

    // '+' is a space in a query, as in every form-encoded query; %2B is a plus.
    assertThat(cluster.put(leader, "/v1/kv/p", "a b").statusCode()).isEqualTo(200);
    assertThat(cluster.put(leader, "/v1/kv/p?prevValue=a+b", "a+b").statusCode()).isEqualTo(200);
    assertThat(cluster.put(leader, "/v1/kv/p?prevValue=a%2Bb", "c").statusCode()).isEqualTo(200);
    for (String bad : List.of("%G1", "%F", "%")) {
      String answer =
          cluster.raw(
              leader,
              "PUT /v1/kv/p?prevValue="
                  + bad
                  + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                  + "Connection: close\r\n\r\nd",
              false);
      assertThat(answer).as(bad).startsWith("HTTP/1.1 400").contains("malformed query");
    }
    assertThat(cluster.get(leader, "/v1/kv/p").body()).isEqualTo("c");
  }

  private HttpResponse<String> putBytes(NodeId node, String path, byte[] body) {
    return cluster.send(
        cluster.request(node, path).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  /**
   * A key may have up to KvCodec.MAX_KEY_BYTES bytes however it is written: percent-encoded, a key
   * of non-ASCII characters takes three characters of the request line per byte.
   */
  @Test
  void aKeyOfTheLargestSizeWorksPercentEncodedAndOneByteMoreIsRefused() throws IOException {
    NodeId leader = cluster.leader();
    int max = io.jangada.raft.examples.kv.KvCodec.MAX_KEY_BYTES;
    String largest = "%C3%A9".repeat(max / 2); // é: two bytes, six characters each
    HttpResponse<String> put = cluster.put(leader, "/v1/kv/" + largest + "?prevExist=false", "v");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(cluster.get(cluster.follower(), "/v1/kv/" + largest).body()).isEqualTo("v");
    assertThat(cluster.delete(leader, "/v1/kv/" + largest).statusCode()).isEqualTo(200);
    assertError(cluster.put(leader, "/v1/kv/" + largest + "x", "v"), 414, "key longer than");
  }

  @Test
  void idempotencyKeyAppliesOnceAcrossRetriesToAnyNode() throws IOException {
    NodeId leader = cluster.leader();
    NodeId follower = cluster.follower();
    HttpRequest first =
        cluster
            .request(leader, "/v1/kv/once?prevExist=false")
            .header("Idempotency-Key", "abc-123")
            .PUT(HttpRequest.BodyPublishers.ofString("first"))
            .build();
    HttpResponse<String> one = cluster.send(first);
    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    // Someone else overwrites the key; a late retry (via a follower) must not apply again.
    cluster.put(leader, "/v1/kv/once", "other");
    HttpRequest retry =
        cluster
            .request(follower, "/v1/kv/once?prevExist=false")
            .header("Idempotency-Key", "abc-123")
            .PUT(HttpRequest.BodyPublishers.ofString("first"))
            .build();
    HttpResponse<String> two = cluster.send(retry);
    assertThat(two.statusCode()).as(two.body()).isEqualTo(200);
    assertThat(json(two).get("index").asLong()).isGreaterThan(json(one).get("index").asLong());
    assertThat(cluster.get(leader, "/v1/kv/once").body()).isEqualTo("other");
  }

  @Test
  void anIdempotencyKeyRetriedOnAnotherNodeAfterTheLeaderDiedAppliesOnce() throws IOException {
    NodeId leader = cluster.leader();
    List<NodeId> followers = cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
    NodeId first = followers.get(0);
    NodeId second = followers.get(1);
    HttpResponse<String> one =
        cluster.send(
            cluster
                .request(first, "/v1/kv/order?prevExist=false")
                .header("Idempotency-Key", "order-42")
                .PUT(HttpRequest.BodyPublishers.ofString("paid"))
                .build());
    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);

    // The leader dies; a new one is elected among the two others, and someone changes the key.
    cluster.raft.crash(leader);
    NodeId newLeader = cluster.raft.awaitLeader();
    assertThat(cluster.put(newLeader, "/v1/kv/order", "refunded").statusCode()).isEqualTo(200);

    // The client, unsure of its first attempt, retries on the node it has not used yet: the key
    // is found in the replicated session table, so the create-only write is not applied again
    // (which would fail its condition) and its first answer repeats.
    HttpResponse<String> retry =
        cluster.send(
            cluster
                .request(second, "/v1/kv/order?prevExist=false")
                .header("Idempotency-Key", "order-42")
                .PUT(HttpRequest.BodyPublishers.ofString("paid"))
                .build());
    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
    assertThat(cluster.get(second, "/v1/kv/order").body()).isEqualTo("refunded");

    // A different key is a different write: it applies (and fails its condition).
    HttpResponse<String> other =
        cluster.send(
            cluster
                .request(second, "/v1/kv/order?prevExist=false")
                .header("Idempotency-Key", "order-43")
                .PUT(HttpRequest.BodyPublishers.ofString("paid"))
                .build());
    assertThat(other.statusCode()).as(other.body()).isEqualTo(412);
  }

  @Test
  void statusDescribesTheCluster() throws IOException {
    NodeId leader = cluster.leader();
    cluster.put(leader, "/v1/kv/a", "1");
    JsonNode status = json(cluster.get(cluster.follower(), "/v1/status"));
    assertThat(status.get("role").asText()).isEqualTo("FOLLOWER");
    assertThat(status.get("leader").asText()).isEqualTo(leader.value());
    assertThat(status.get("leaderHttp").asText()).isEqualTo(cluster.urls.get(leader).toString());
    assertThat(status.get("term").asLong()).isPositive();
    assertThat(status.get("commitIndex").asLong()).isPositive();
    assertThat(status.get("members")).hasSize(3);
    assertThat(status.has("appliedIndex") && status.has("lastIndex") && status.has("snapshotIndex"))
        .isTrue();
  }

  @Test
  void badInputGetsAClearJsonError() throws IOException {
    NodeId leader = cluster.leader();
    assertError(cluster.get(leader, "/v1/nope"), 404, "no such endpoint");
    assertError(cluster.get(leader, "/"), 404, "no such endpoint");
    assertError(cluster.put(leader, "/v1/kv/", "v"), 400, "key must not be empty");
    assertError(cluster.put(leader, "/v1/status", "v"), 405, "not allowed");
    assertError(
        cluster.send(
            cluster
                .request(leader, "/v1/kv/k")
                .method("POST", HttpRequest.BodyPublishers.ofString("v"))
                .build()),
        405,
        "POST");
    assertError(cluster.put(leader, "/v1/kv/big", "x".repeat(1025)), 413, "1024 bytes");
    assertThat(cluster.put(leader, "/v1/kv/fits", "x".repeat(1024)).statusCode()).isEqualTo(200);
    assertError(cluster.get(leader, "/v1/kv/k?consistency=sloppy"), 400, "consistency");
    assertError(cluster.get(leader, "/v1/kv/k?consistency="), 400, "consistency");
    assertError(cluster.get(leader, "/v1/status?verbose=1"), 400, "unknown query parameter");
    assertError(cluster.get(leader, "/health/ready?x=1"), 400, "unknown query parameter");
    assertError(cluster.put(leader, "/v1/kv/k?prevExist=true", "v"), 400, "prevExist");
    assertError(cluster.put(leader, "/v1/kv/k?prevExist=false&prevValue=a", "v"), 400, "either");
    assertError(cluster.put(leader, "/v1/kv/k?color=red", "v"), 400, "unknown query parameter");
    assertError(
        cluster.send(
            cluster
                .request(leader, "/v1/kv/k")
                .header("Idempotency-Key", "x".repeat(200))
                .PUT(HttpRequest.BodyPublishers.ofString("v"))
                .build()),
        400,
        "Idempotency-Key");
  }

  @Test
  void keysMayHoldSlashesSpacesAndUnicode() {
    NodeId leader = cluster.leader();
    assertThat(cluster.put(leader, "/v1/kv/a/b%20c+d%E2%9C%93", "v").statusCode()).isEqualTo(200);
    assertThat(
            cluster.get(leader, "/v1/kv/a%2Fb%20c%2Bd\u2713".replace("\u2713", "%E2%9C%93")).body())
        .isEqualTo("v");
  }

  @Test
  void withoutAQuorumAWriteToAFollowerIsUnavailableNotWrong() throws IOException {
    NodeId leader = cluster.leader();
    NodeId follower = cluster.follower();
    cluster.raft.crash(leader);
    NodeId other =
        cluster.ids().stream()
            .filter(id -> !id.equals(leader) && !id.equals(follower))
            .findFirst()
            .orElseThrow();
    cluster.raft.crash(other);
    // Let the survivor notice the leader is gone.
    cluster.raft.advance(Duration.ofSeconds(5));
    HttpResponse<String> put = cluster.put(follower, "/v1/kv/k", "v");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(503);
    assertThat(put.headers().firstValue("Retry-After")).isPresent();
    assertThat(json(put).get("error").asText()).isNotBlank();
  }

  @Test
  void malformedPercentEscapesInKeysAreRejected() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                HttpError.class, () -> RequestParsing.decodeKey("%zz")))
        .satisfies(e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("malformed key");
    assertThat(RequestParsing.decodeKey("a+b%2Fc").toUtf8()).isEqualTo("a+b/c");
  }

  private static void assertError(HttpResponse<String> response, int status, String text)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(json(response).get("error").asText()).contains(text);
  }
}
