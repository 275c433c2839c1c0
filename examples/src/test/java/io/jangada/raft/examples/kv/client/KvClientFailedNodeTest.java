package io.jangada.raft.examples.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, bug 4: a node whose storage failed answered every request with 500, and the client kept
 * using it although the other nodes were healthy. A failed node is a reason to try the others; a
 * write without an Idempotency-Key is resent only when the node says it refused the request.
 */
class KvClientFailedNodeTest {

  private final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  /** A fake node answering every request with {@code status} and {@code body}; counts requests. */
  private record FakeNode(URI url, AtomicInteger requests, List<String> keys) {}

  private FakeNode fake(int status, String body) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger requests = new AtomicInteger();
    List<String> keys = new CopyOnWriteArrayList<>();
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
          keys.add(key == null ? "" : key);
          exchange.getRequestBody().readAllBytes();
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    servers.add(server);
    return new FakeNode(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), requests, keys);
  }

  private static final String FAILED =
      "{\"error\":\"node stopped after a storage failure: disk full\",\"nodeFailed\":true}";
  private static final String CRASHED = "{\"error\":\"internal error: java.lang.NullPointer\"}";
  private static final String WRITTEN = "{\"index\":7,\"term\":2}";

  @Test
  void aWriteWithoutAKeyMovesOnFromAFailedNodeToAHealthyOne() throws Exception {
    FakeNode failed = fake(500, FAILED);
    FakeNode healthy = fake(200, WRITTEN);
    KvClient client =
        new KvClient(List.of(failed.url(), healthy.url()), Duration.ofSeconds(5), false);
    assertThat(client.put("k", "v".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new KvClient.Written(7, 2));
    assertThat(failed.requests()).hasValue(1);
    assertThat(healthy.requests()).hasValue(1);
    // The client now prefers the node that answered.
    client.put("k", "w".getBytes(StandardCharsets.UTF_8));
    assertThat(failed.requests()).hasValue(1);
    assertThat(healthy.requests()).hasValue(2);
  }

  @Test
  void readsAndKeyedWritesMoveOnFromAnyServerError() throws Exception {
    FakeNode broken = fake(500, CRASHED);
    FakeNode healthy = fake(200, WRITTEN);
    KvClient client =
        new KvClient(List.of(broken.url(), healthy.url()), Duration.ofSeconds(5), true);
    assertThat(client.put("k", "v".getBytes(StandardCharsets.UTF_8)).index()).isEqualTo(7);
    // Resent under the same key: a write that did apply on the broken node applies once.
    assertThat(broken.keys()).hasSize(1);
    assertThat(healthy.keys()).containsExactlyElementsOf(broken.keys());

    FakeNode brokenReads = fake(500, CRASHED);
    FakeNode value = fake(200, "v");
    KvClient reader =
        new KvClient(List.of(brokenReads.url(), value.url()), Duration.ofSeconds(5), false);
    assertThat(reader.get("k")).hasValueSatisfying(v -> assertThat(v).asString().isEqualTo("v"));
  }

  @Test
  void aWriteWithoutAKeyIsNotResentAfterAnUnexplainedServerError() throws Exception {
    FakeNode broken = fake(500, CRASHED);
    FakeNode healthy = fake(200, WRITTEN);
    KvClient client =
        new KvClient(List.of(broken.url(), healthy.url()), Duration.ofSeconds(5), false);
    assertThatThrownBy(() -> client.put("k", "v".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(KvClientException.class)
        .hasMessageContaining("500");
    assertThat(healthy.requests()).hasValue(0);
  }
}
