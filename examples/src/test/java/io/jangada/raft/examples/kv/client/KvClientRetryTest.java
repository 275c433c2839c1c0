package io.jangada.raft.examples.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries must not hide an indeterminate write: a node that takes the request and drops the
 * connection without answering may have applied it.
 */
class KvClientRetryTest {

  /** Accepts connections on 127.0.0.1, reads each request's head, closes without answering. */
  private static final class DroppingServer implements AutoCloseable {
    final ServerSocket socket;
    final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
    final Thread thread;

    DroppingServer() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(this::serve, "dropping-server");
      thread.setDaemon(true);
      thread.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket connection = socket.accept()) {
          idempotencyKeys.add(idempotencyKeyOf(readHead(connection.getInputStream())));
        } catch (IOException e) {
          // closed: stop
        }
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          break;
        }
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String idempotencyKeyOf(String head) {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("idempotency-key:")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
      return "";
    }

    @Override
    public void close() throws IOException {
      socket.close();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private DroppingServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aWriteWithoutAKeyIsNotResentAfterTheConnectionDrops() throws Exception {
    server = new DroppingServer();
    KvClient client = new KvClient(List.of(server.url()), Duration.ofSeconds(3), false);
    assertThatThrownBy(() -> client.put("k", "v".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            KvClientException.class,
            e -> {
              assertThat(e.outcomeUnknown()).isTrue();
              assertThat(e.getMessage()).contains("outcome unknown");
            });
    assertThat(server.idempotencyKeys).hasSize(1);
  }

  @Test
  void aWriteWithAKeyIsResentUnderTheSameKey() throws Exception {
    server = new DroppingServer();
    KvClient client = new KvClient(List.of(server.url()), Duration.ofSeconds(2), true);
    assertThatThrownBy(() -> client.put("k", "v".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            KvClientException.class, e -> assertThat(e.outcomeUnknown()).isTrue());
    assertThat(server.idempotencyKeys).hasSizeGreaterThan(1);
    assertThat(server.idempotencyKeys.stream().distinct()).hasSize(1);
    assertThat(server.idempotencyKeys.get(0)).isNotEmpty();
  }

  @Test
  void aReadIsResentAfterTheConnectionDrops() throws Exception {
    server = new DroppingServer();
    KvClient client = new KvClient(List.of(server.url()), Duration.ofSeconds(2), false);
    assertThatThrownBy(() -> client.get("k")).isInstanceOf(KvClientException.class);
    assertThat(server.idempotencyKeys).hasSizeGreaterThan(1);
  }

  /** A port of 127.0.0.1 on which nothing listens (connections are refused). */
  private static URI deadUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  @Test
  void aReadOrAWriteNoNodeReceivedIsNotAnUnknownOutcome() throws Exception {
    KvClient client = new KvClient(List.of(deadUrl()), Duration.ofSeconds(1), true);
    assertThatThrownBy(() -> client.put("k", "v".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOfSatisfying(
            KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
    assertThatThrownBy(client::status)
        .isInstanceOfSatisfying(
            KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
    MembersClient members = new MembersClient(List.of(deadUrl()), Duration.ofSeconds(1));
    assertThatThrownBy(members::members)
        .isInstanceOfSatisfying(
            KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
    assertThatThrownBy(() -> members.remove("n2"))
        .isInstanceOfSatisfying(
            KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
  }

  @Test
  void aReadWhoseConnectionDroppedIsNotAnUnknownOutcome() throws Exception {
    server = new DroppingServer();
    KvClient client = new KvClient(List.of(server.url()), Duration.ofSeconds(1), true);
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOfSatisfying(
            KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
  }

  @Test
  void givingUpNamesTheLastAnswerNotOnlyTheLastConnectionFailure() throws Exception {
    com.sun.net.httpserver.HttpServer busy =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    busy.createContext(
        "/",
        exchange -> {
          byte[] body =
              "{\"error\":\"not accepted, retry: n3 did not take over leadership\"}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(503, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    busy.start();
    try {
      URI answering = URI.create("http://127.0.0.1:" + busy.getAddress().getPort());
      KvClient client = new KvClient(List.of(answering, deadUrl()), Duration.ofSeconds(1), true);
      assertThatThrownBy(() -> client.transferLeader("n3"))
          .isInstanceOf(KvClientException.class)
          .hasMessageNotContaining("no node answered")
          .hasMessageContaining("n3 did not take over leadership");
    } finally {
      busy.stop(0);
    }
  }
}
