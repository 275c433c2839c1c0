package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.Role;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.StateMachineException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the HTTP layer reports each failure a node can give, using a scripted fake node. */
class KvHttpFailureTest {

  private static final NodeId SELF = NodeId.of("n1");
  private static final NodeId OTHER = NodeId.of("n2");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = HttpClient.newHttpClient();
  private KvHttpServer server;

  /** Fails every call with whatever the test supplies. */
  private static final class ScriptedNode implements KvNode {
    volatile Supplier<CompletableFuture<?>> answer;
    final java.util.concurrent.atomic.AtomicInteger unnamedOpens =
        new java.util.concurrent.atomic.AtomicInteger();

    @SuppressWarnings("unchecked")
    @Override
    public CompletableFuture<Committed> propose(Bytes command, SessionInfo session) {
      return (CompletableFuture<Committed>) answer.get();
    }

    @Override
    public CompletableFuture<Long> openSession() {
      return CompletableFuture.completedFuture((long) unnamedOpens.incrementAndGet());
    }

    @Override
    public CompletableFuture<Long> openSession(String name) {
      return CompletableFuture.completedFuture(2L);
    }

    @SuppressWarnings("unchecked")
    @Override
    public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
      return (CompletableFuture<Bytes>) answer.get();
    }

    @Override
    public RaftStatus status() {
      return new RaftStatus(
          SELF,
          Role.FOLLOWER,
          1,
          Optional.empty(),
          0,
          0,
          1,
          0,
          0,
          Membership.ofVoters(SELF, OTHER),
          0,
          Map.of());
    }
  }

  private final ScriptedNode node = new ScriptedNode();

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> put(Map<NodeId, URI> peers, Duration timeout) throws Exception {
    return put(peers, timeout, Optional.empty());
  }

  /** Starts a server on the scripted node and PUTs k=v, with {@code idempotencyKey} if given. */
  private HttpResponse<String> put(
      Map<NodeId, URI> peers, Duration timeout, Optional<String> idempotencyKey) throws Exception {
    server =
        KvHttpServer.start(
            new HostPort("127.0.0.1", 0),
            SELF,
            node,
            peers,
            new KvHttpServer.Options(1 << 20, timeout, 4));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/kv/k"))
            .PUT(HttpRequest.BodyPublishers.ofString("v"));
    idempotencyKey.ifPresent(key -> request.header("Idempotency-Key", key));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> putFailing(RuntimeException failure) throws Exception {
    node.answer = () -> CompletableFuture.failedFuture(failure);
    return put(Map.of(), Duration.ofSeconds(5));
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @Test
  void indeterminateResultIs504OutcomeUnknown() throws Exception {
    HttpResponse<String> response =
        putFailing(new IndeterminateResultException("leadership lost after append"));
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(json(response).get("outcome").asText()).isEqualTo("unknown");
    assertThat(json(response).get("hint").asText()).contains("Idempotency-Key");
  }

  @Test
  void onlyAWriteWithAnIdempotencyKeyIsSaidToBeSafeToRetry() throws Exception {
    HttpResponse<String> keyless =
        putFailing(new IndeterminateResultException("leadership lost after append"));
    assertThat(keyless.statusCode()).isEqualTo(504);
    assertThat(json(keyless).get("hint").asText())
        .doesNotContain("is safe")
        .contains("may apply it twice");
    server.close();

    node.answer =
        () ->
            CompletableFuture.failedFuture(
                new IndeterminateResultException("leadership lost after append"));
    HttpResponse<String> keyed = put(Map.of(), Duration.ofSeconds(5), Optional.of("order-1"));
    assertThat(keyed.statusCode()).isEqualTo(504);
    assertThat(json(keyed).get("hint").asText())
        .isEqualTo("retrying with the same Idempotency-Key is safe");
  }

  @Test
  void aTimeoutIs504OutcomeUnknown() throws Exception {
    node.answer = CompletableFuture::new; // never completes
    HttpResponse<String> response = put(Map.of(), Duration.ofMillis(200));
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(json(response).get("error").asText()).contains("outcome unknown");
  }

  /**
   * A read changes nothing: its timeout is a 504 that says to retry, not a write's "outcome
   * unknown" with advice about Idempotency-Key (which a GET does not take).
   */
  @Test
  void aReadThatTimesOutIs504RetryWithoutAnUnknownOutcome() throws Exception {
    node.answer = CompletableFuture::new; // never completes
    server =
        KvHttpServer.start(
            new HostPort("127.0.0.1", 0),
            SELF,
            node,
            Map.of(),
            new KvHttpServer.Options(1 << 20, Duration.ofMillis(200), 4));
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/kv/k"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(504);
    JsonNode body = json(response);
    assertThat(body.get("error").asText()).contains("read").contains("PT0.2S");
    assertThat(body.has("outcome")).isFalse();
    assertThat(body.get("hint").asText()).doesNotContain("Idempotency-Key").contains("retry");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void aProposalTooLargeForTheNodeIs413NotARetryable503() throws Exception {
    HttpResponse<String> response =
        putFailing(
            new ProposalDroppedException(
                ProposalDroppedException.Reason.TOO_LARGE, "command exceeds maxProposalBytes"));
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.headers().firstValue("Retry-After")).isEmpty();
  }

  @Test
  void retryableRefusalsAre503WithRetryAfter() throws Exception {
    for (RuntimeException failure :
        new RuntimeException[] {
          new ProposalDroppedException("backlog full"),
          new NodeClosedException("closed"),
          new RequestTimeoutException("read index timed out"),
          new NotLeaderException(SELF, Optional.empty())
        }) {
      HttpResponse<String> response = putFailing(failure);
      assertThat(response.statusCode()).as("%s", failure).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).as("%s", failure).hasValue("1");
      server.close();
    }
  }

  @Test
  void theServersOwnSessionIsReopenedOnceWhenItExpiredAndTheWriteSentAgain() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    node.answer =
        () ->
            calls.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(
                    new SessionExpiredException(1, 1, "session expired: the outcome of sequence 1"))
                : CompletableFuture.completedFuture(
                    new Committed(
                        7,
                        2,
                        io.jangada.raft.examples.kv.KvCodec.encode(
                            new io.jangada.raft.examples.kv.KvResult.Ok())));
    HttpResponse<String> response = put(Map.of(), Duration.ofSeconds(5));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(calls.get()).isEqualTo(2);
    assertThat(node.unnamedOpens.get()).isEqualTo(2);
  }

  @Test
  void anExpiredIdempotencySessionIs409OutcomeUnknownNotASecondApply() throws Exception {
    node.answer =
        () ->
            CompletableFuture.failedFuture(
                new SessionExpiredException(2, 1, "session expired: the outcome of sequence 1"));
    HttpResponse<String> response = put(Map.of(), Duration.ofSeconds(5), Optional.of("abc"));
    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(json(response).get("outcome").asText()).isEqualTo("unknown");
    assertThat(node.unnamedOpens.get()).isZero();
  }

  @Test
  void storageFailureIs500() throws Exception {
    HttpResponse<String> response =
        putFailing(new StorageFailedException("disk full", new IOException("ENOSPC")));
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(json(response).get("error").asText()).contains("storage failure");
    assertThat(json(response).get("nodeFailed").asBoolean()).isTrue();
  }

  @Test
  void aStateMachineFailureIs500NamingItAndSaysTheNodeFailed() throws Exception {
    HttpResponse<String> response =
        putFailing(
            new StateMachineException("apply threw", new IllegalStateException("bad state")));
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(json(response).get("error").asText()).contains("state machine failure");
    assertThat(json(response).get("nodeFailed").asBoolean()).isTrue();
  }

  @Test
  void anUnreachableLeaderIs503() throws Exception {
    node.answer =
        () -> CompletableFuture.failedFuture(new NotLeaderException(SELF, Optional.of(OTHER)));
    // Nothing listens on port 1.
    HttpResponse<String> response =
        put(Map.of(OTHER, URI.create("http://127.0.0.1:1")), Duration.ofSeconds(5));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("leader").asText()).isEqualTo("n2");
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
  }
}
