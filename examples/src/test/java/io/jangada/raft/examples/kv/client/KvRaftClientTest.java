package io.jangada.raft.examples.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.examples.kv.KvCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What {@link KvRaftClient} reports when it cannot do what it was asked: a key the cluster would
 * refuse is refused before any request, and a write that no node ever received is not reported as
 * one that may have taken effect.
 */
class KvRaftClientTest {

  /** A port of 127.0.0.1 on which nothing listens (connections are refused). */
  private static String deadEndpoint() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @Test
  void keysTheClusterWouldRefuseAreRefusedBeforeAnyRequest() throws Exception {
    try (KvRaftClient client =
        new KvRaftClient(List.of(deadEndpoint()), "kv", Duration.ofSeconds(30))) {
      String tooLong = "k".repeat(KvCodec.MAX_KEY_BYTES + 1);
      for (String key : List.of("", tooLong)) {
        long started = System.nanoTime();
        assertThatThrownBy(() -> client.get(key, "linearizable"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("key")
            .hasMessageNotContaining("unexpected answer");
        assertThatThrownBy(() -> client.put(key, new byte[] {1}))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.cas(key, Optional.empty(), new byte[] {1}))
            .isInstanceOf(IllegalArgumentException.class);
        // No retries against the (dead) cluster: the answer is immediate.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void aWriteNoNodeReceivedIsNotAnUnknownOutcome() throws Exception {
    try (KvRaftClient client =
        new KvRaftClient(List.of(deadEndpoint()), "kv", Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> client.put("k", "v".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOfSatisfying(
              KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
      assertThatThrownBy(() -> client.get("k", "linearizable"))
          .isInstanceOfSatisfying(
              KvClientException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
    }
  }
}
