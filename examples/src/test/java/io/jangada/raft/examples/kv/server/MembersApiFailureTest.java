package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.Committed;
import io.jangada.raft.CommittedMembership;
import io.jangada.raft.ConcurrentMembershipChangeException;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.MembershipChangeException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the membership routes report each refusal the library can give, and how a follower relays a
 * change to the leader whose HTTP address it learnt from the configuration, with scripted nodes.
 */
class MembersApiFailureTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = HttpClient.newHttpClient();
  private final List<KvHttpServer> servers = new ArrayList<>();

  /** Answers every change with what the test supplies; reports a fixed configuration. */
  private static final class ScriptedNode implements KvNode {
    final NodeId self;
    volatile Membership membership = Membership.ofVoters(N1, N2);
    volatile Optional<NodeId> leader = Optional.empty();
    volatile Supplier<CompletableFuture<CommittedMembership>> answer;
    final List<String> calls = new ArrayList<>();

    ScriptedNode(NodeId self) {
      this.self = self;
    }

    @Override
    public CompletableFuture<Committed> propose(
        Bytes command, io.jangada.raft.SessionInfo session) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("propose"));
    }

    @Override
    public CompletableFuture<Long> openSession() {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("openSession"));
    }

    @Override
    public CompletableFuture<Long> openSession(String name) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("openSession"));
    }

    @Override
    public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("query"));
    }

    @Override
    public RaftStatus status() {
      return new RaftStatus(self, Role.FOLLOWER, 3, leader, 9, 9, 1, 9, 0, membership, 7, Map.of());
    }

    @Override
    public synchronized CompletableFuture<CommittedMembership> addLearner(
        NodeId node, String address) {
      calls.add("add " + node + " " + address);
      return answer.get();
    }

    @Override
    public synchronized CompletableFuture<CommittedMembership> promote(NodeId node) {
      calls.add("promote " + node);
      return answer.get();
    }

    @Override
    public synchronized CompletableFuture<CommittedMembership> removeMember(NodeId node) {
      calls.add("remove " + node);
      return answer.get();
    }
  }

  @AfterEach
  void stop() {
    servers.forEach(KvHttpServer::close);
  }

  private KvHttpServer start(ScriptedNode node, Map<NodeId, URI> httpByNode) throws IOException {
    KvHttpServer server =
        KvHttpServer.start(
            new HostPort("127.0.0.1", 0),
            node.self,
            node,
            httpByNode,
            new KvHttpServer.Options(1 << 20, Duration.ofSeconds(5), 4));
    servers.add(server);
    return server;
  }

  private HttpResponse<String> send(KvHttpServer server, String method, String path, String body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> promoteFailing(RuntimeException failure) throws Exception {
    ScriptedNode node = new ScriptedNode(N1);
    node.answer = () -> CompletableFuture.failedFuture(failure);
    return send(start(node, Map.of()), "POST", "/v1/members/n2/promote", "");
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @Test
  void aConcurrentOrStaleChangeIs409() throws Exception {
    for (MembershipChangeException.Reason reason :
        List.of(
            MembershipChangeException.Reason.CHANGE_IN_PROGRESS,
            MembershipChangeException.Reason.STALE_CONFIGURATION)) {
      HttpResponse<String> response =
          promoteFailing(new ConcurrentMembershipChangeException(reason, "index 5 is pending"));
      assertThat(response.statusCode()).isEqualTo(409);
      assertThat(json(response).path("reason").asText()).isEqualTo(reason.name());
      assertThat(json(response).path("error").asText())
          .contains("another membership change is in progress")
          .contains("index 5 is pending");
    }
  }

  @Test
  void aLeaderNotReadyIs503WithRetryAfterAndAnInvalidChangeIs409() throws Exception {
    HttpResponse<String> notReady =
        promoteFailing(
            new MembershipChangeException(
                MembershipChangeException.Reason.LEADER_NOT_READY, "new leader"));
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.headers().firstValue("Retry-After")).hasValue("1");

    HttpResponse<String> invalid =
        promoteFailing(
            new MembershipChangeException(
                MembershipChangeException.Reason.INVALID, "the last voter cannot leave"));
    assertThat(invalid.statusCode()).isEqualTo(409);
    assertThat(json(invalid).path("error").asText()).contains("the last voter cannot leave");
  }

  @Test
  void anIndeterminateChangeIs504AndNoLeaderIs503() throws Exception {
    HttpResponse<String> unknown =
        promoteFailing(new IndeterminateResultException("leadership lost after append"));
    assertThat(unknown.statusCode()).isEqualTo(504);
    assertThat(json(unknown).path("outcome").asText()).isEqualTo("unknown");
    // Membership calls take no Idempotency-Key: the hint is to read the configuration.
    assertThat(json(unknown).path("hint").asText())
        .doesNotContain("Idempotency-Key")
        .contains("read the configuration");

    HttpResponse<String> noLeader = promoteFailing(new NotLeaderException(N1, Optional.empty()));
    assertThat(noLeader.statusCode()).isEqualTo(503);
    assertThat(noLeader.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(json(noLeader).path("error").asText()).contains("no leader");
  }

  @Test
  void aFollowerRelaysToTheLeaderAtTheHttpAddressTheConfigurationCarries() throws Exception {
    ScriptedNode leader = new ScriptedNode(N2);
    Membership after =
        Membership.builder()
            .voter(N1, "127.0.0.1:7101;http=127.0.0.1:8101")
            .voter(N2, "127.0.0.1:7102;http=127.0.0.1:8102")
            .learner(NodeId.of("n4"), "127.0.0.1:7104;http=127.0.0.1:8104")
            .build();
    leader.answer = () -> CompletableFuture.completedFuture(new CommittedMembership(after, 12));
    KvHttpServer leaderServer = start(leader, Map.of());

    ScriptedNode follower = new ScriptedNode(N1);
    follower.leader = Optional.of(N2);
    follower.membership =
        Membership.builder()
            .voter(N1, "127.0.0.1:7101;http=127.0.0.1:8101")
            .voter(N2, "127.0.0.1:7102;http=127.0.0.1:" + leaderServer.port())
            .build();
    follower.answer =
        () -> CompletableFuture.failedFuture(new NotLeaderException(N1, Optional.of(N2)));
    KvHttpServer followerServer = start(follower, Map.of()); // no --peers map at all

    HttpResponse<String> added =
        send(
            followerServer,
            "POST",
            "/v1/members",
            "{\"id\":\"n4\",\"raft\":\"127.0.0.1:7104\",\"http\":\"127.0.0.1:8104\"}");
    assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
    assertThat(added.headers().firstValue(KvHttpServer.NODE_HEADER)).hasValue("n2");
    assertThat(leader.calls).containsExactly("add n4 127.0.0.1:7104;http=127.0.0.1:8104");
    JsonNode config = json(added);
    assertThat(config.path("configIndex").asLong()).isEqualTo(12);
    assertThat(config.path("members").get(2).path("http").asText())
        .isEqualTo("http://127.0.0.1:8104");

    // The follower's own view names the leader's HTTP address from the configuration too.
    HttpResponse<String> members = send(followerServer, "GET", "/v1/members", "");
    assertThat(json(members).path("members").get(1).path("http").asText())
        .isEqualTo("http://127.0.0.1:" + leaderServer.port());
    assertThat(json(members).path("configIndex").asLong()).isEqualTo(7);
    HttpResponse<String> status = send(followerServer, "GET", "/v1/status", "");
    assertThat(json(status).path("leaderHttp").asText())
        .isEqualTo("http://127.0.0.1:" + leaderServer.port());
  }

  @Test
  void aRelayedChangeIsNotRelayedAgain() throws Exception {
    ScriptedNode follower = new ScriptedNode(N1);
    follower.answer =
        () -> CompletableFuture.failedFuture(new NotLeaderException(N1, Optional.of(N2)));
    KvHttpServer server = start(follower, Map.of(N2, URI.create("http://127.0.0.1:1")));
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/members/n2"))
                .header(LeaderForwarder.FORWARDED_BY, "n3")
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).path("leader").asText()).isEqualTo("n2");
  }
}
