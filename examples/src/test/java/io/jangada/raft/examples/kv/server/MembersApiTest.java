package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The membership routes against three real in-memory Raft nodes and a fourth that joins. */
class MembersApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final NodeId N4 = NodeId.of("n4");
  private static final String ADD_N4 =
      "{\"id\":\"n4\",\"raft\":\"127.0.0.1:7104\",\"http\":\"127.0.0.1:8104\"}";
  private HttpCluster cluster;

  @BeforeEach
  void start() throws IOException {
    cluster = new HttpCluster(21, new KvHttpServer.Options(1024, Duration.ofSeconds(10), 8));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private HttpResponse<String> post(NodeId via, String path, String body) {
    return cluster.send(
        cluster
            .request(via, path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(response.body());
  }

  private static List<String> roles(JsonNode config) {
    List<String> roles = new ArrayList<>();
    config
        .path("members")
        .forEach(m -> roles.add(m.path("id").asText() + ":" + m.path("role").asText()));
    return roles;
  }

  /** Promotes n4 via {@code via}, retrying while it has not caught up (409 NOT_CAUGHT_UP). */
  private HttpResponse<String> promoteN4(NodeId via) throws IOException {
    HttpResponse<String> promoted = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      promoted = post(via, "/v1/members/n4/promote", "");
      if (promoted.statusCode() != 409) {
        return promoted;
      }
      assertThat(json(promoted).path("reason").asText()).isEqualTo("NOT_CAUGHT_UP");
      assertThat(json(promoted).path("error").asText()).contains("not caught up");
      cluster.raft.advance(Duration.ofMillis(200));
    }
    return promoted;
  }

  @Test
  void everyNodeListsTheVotersWithTheirAddresses() throws IOException {
    NodeId leader = cluster.leader();
    for (NodeId id : cluster.ids()) {
      HttpResponse<String> got = cluster.get(id, "/v1/members");
      assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
      JsonNode config = json(got);
      assertThat(config.path("node").asText()).isEqualTo(id.value());
      assertThat(config.path("leader").asText()).isEqualTo(leader.value());
      assertThat(roles(config)).containsExactly("n1:VOTER", "n2:VOTER", "n3:VOTER");
      assertThat(config.path("members").get(1).path("http").asText())
          .isEqualTo(cluster.urls.get(NodeId.of("n2")).toString());
      assertThat(config.path("learners")).isEmpty();
      assertThat(config.path("joint").asBoolean()).isFalse();
    }
  }

  /**
   * A joining node the leader has not reached yet knows no configuration: it says so (nothing
   * committed, no voters), and an admin call that needs the configuration is a 503 to retry, not a
   * 400 blaming the request.
   */
  @Test
  void aJoiningNodeBeforeTheLeaderReachedItKnowsNoConfiguration() throws IOException {
    cluster.leader();
    cluster.joinWithHttp(N4);
    JsonNode members = json(cluster.get(N4, "/v1/members"));
    assertThat(members.path("voters")).isEmpty();
    assertThat(members.path("committed").asBoolean()).as(members.toString()).isFalse();
    HttpResponse<String> transfer = post(N4, "/v1/admin/transfer-leader?to=n1", "");
    assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(503);
    assertThat(transfer.headers().firstValue("Retry-After")).isPresent();
    assertThat(json(transfer).path("error").asText()).contains("configuration");
    // Once added, it knows the configuration like any member.
    assertThat(post(cluster.leader(), "/v1/members", ADD_N4).statusCode()).isEqualTo(200);
    JsonNode known = JSON.readTree(cluster.pump(() -> awaitVoters(N4)));
    assertThat(known.path("voters")).hasSize(3);
    assertThat(known.path("committed").asBoolean()).isTrue();
  }

  /** GET /v1/members on {@code node} once it knows the voters (retried as virtual time runs). */
  private CompletableFuture<String> awaitVoters(NodeId node) {
    return CompletableFuture.supplyAsync(
            () -> {
              while (true) {
                HttpResponse<String> got =
                    cluster
                        .client
                        .sendAsync(
                            cluster.request(node, "/v1/members").GET().build(),
                            HttpResponse.BodyHandlers.ofString())
                        .join();
                if (got.body().contains("\"voters\":[\"")) {
                  return got;
                }
              }
            })
        .thenApply(HttpResponse::body);
  }

  @Test
  void aFollowerRelaysAddPromoteAndRemoveToTheLeader() throws IOException {
    NodeId leader = cluster.leader();
    NodeId follower = cluster.follower();
    cluster.join(N4);

    HttpResponse<String> added = post(follower, "/v1/members", ADD_N4);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
    assertThat(added.headers().firstValue(KvHttpServer.NODE_HEADER)).hasValue(leader.value());
    JsonNode afterAdd = json(added);
    assertThat(afterAdd.path("learners").toString()).isEqualTo("[\"n4\"]");
    long addIndex = afterAdd.path("configIndex").asLong();
    assertThat(addIndex).isPositive();
    JsonNode n4 = afterAdd.path("members").get(3);
    assertThat(n4.path("role").asText()).isEqualTo("LEARNER");
    assertThat(n4.path("raft").asText()).isEqualTo("127.0.0.1:7104");
    assertThat(n4.path("http").asText()).isEqualTo("http://127.0.0.1:8104");

    HttpResponse<String> promoted = promoteN4(follower);
    assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);
    assertThat(roles(json(promoted))).contains("n4:VOTER");
    assertThat(json(promoted).path("configIndex").asLong()).isGreaterThan(addIndex);

    NodeId removed = follower;
    HttpResponse<String> gone =
        cluster.send(cluster.request(leader, "/v1/members/" + removed).DELETE().build());
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(200);
    assertThat(roles(json(gone))).doesNotContain(removed + ":VOTER").contains("n4:VOTER");
    // The leader's own view agrees.
    assertThat(roles(json(cluster.get(leader, "/v1/members")))).hasSize(3).contains("n4:VOTER");
  }

  @Test
  void refusalsHaveTheStatusCodesUsersExpect() throws IOException {
    NodeId leader = cluster.leader();
    NodeId follower = cluster.follower();

    HttpResponse<String> unknown = post(follower, "/v1/members/n9/promote", "");
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    assertThat(json(unknown).path("error").asText()).contains("n9");

    HttpResponse<String> removeUnknown =
        cluster.send(cluster.request(leader, "/v1/members/n9").DELETE().build());
    assertThat(removeUnknown.statusCode()).isEqualTo(404);

    HttpResponse<String> twice =
        post(
            leader,
            "/v1/members",
            "{\"id\":\""
                + follower
                + "\",\"raft\":\"127.0.0.1:7199\",\"http\":\"127.0.0.1:8199\"}");
    assertThat(twice.statusCode()).as(twice.body()).isEqualTo(409);
    assertThat(json(twice).path("error").asText()).contains("member already");

    HttpResponse<String> voterAgain = post(leader, "/v1/members/" + follower + "/promote", "");
    assertThat(voterAgain.statusCode()).as(voterAgain.body()).isEqualTo(409);

    // n4 never started: it cannot catch up, so its promotion is refused with a clear 409.
    assertThat(post(leader, "/v1/members", ADD_N4).statusCode()).isEqualTo(200);
    HttpResponse<String> lagging = post(leader, "/v1/members/n4/promote", "");
    assertThat(lagging.statusCode()).as(lagging.body()).isEqualTo(409);
    assertThat(json(lagging).path("reason").asText()).isEqualTo("NOT_CAUGHT_UP");
    assertThat(json(lagging).path("error").asText()).contains("has not caught up");
  }

  @Test
  void malformedRequestsAre400Or404Or405() throws IOException {
    NodeId leader = cluster.leader();
    String[] badBodies = {
      "",
      "not json",
      "[1,2]",
      "{\"id\":\"n4\",\"raft\":\"127.0.0.1:7104\"}",
      "{\"id\":\"n4\",\"raft\":\"127.0.0.1:7104\",\"http\":\"127.0.0.1:8104\",\"x\":1}",
      "{\"id\":\"n4\",\"raft\":\"nohost\",\"http\":\"127.0.0.1:8104\"}",
      "{\"id\":\"n4\",\"raft\":\"127.0.0.1:99999\",\"http\":\"127.0.0.1:8104\"}",
      "{\"id\":\"n 4\",\"raft\":\"127.0.0.1:7104\",\"http\":\"127.0.0.1:8104\"}",
      "{\"id\":4,\"raft\":\"127.0.0.1:7104\",\"http\":\"127.0.0.1:8104\"}",
      // One JSON object, nothing after it: a second document or trailing text is no add request.
      "{\"id\":\"n4\",\"raft\":\"127.0.0.1:7104\",\"http\":\"127.0.0.1:8104\"}{}",
      "{\"id\":\"n4\",\"raft\":\"127.0.0.1:7104\",\"http\":\"127.0.0.1:8104\"} x",
    };
    for (String body : badBodies) {
      HttpResponse<String> response = post(leader, "/v1/members", body);
      assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
      assertThat(json(response).path("error").asText()).as(body).isNotBlank();
    }
    // A field of the wrong type is said to be wrong, not missing.
    assertThat(
            json(post(leader, "/v1/members", "{\"id\":4,\"raft\":\"a:1\",\"http\":\"a:2\"}"))
                .path("error")
                .asText())
        .isEqualTo("field 'id' must be a non-empty string, not 4");
    assertThat(cluster.get(leader, "/v1/members/n1/frob").statusCode()).isEqualTo(404);
    HttpResponse<String> put =
        cluster.send(
            cluster
                .request(leader, "/v1/members")
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(put.statusCode()).isEqualTo(405);
    // Nothing was changed by any of them.
    assertThat(roles(json(cluster.get(leader, "/v1/members"))))
        .containsExactly("n1:VOTER", "n2:VOTER", "n3:VOTER");
  }
}
