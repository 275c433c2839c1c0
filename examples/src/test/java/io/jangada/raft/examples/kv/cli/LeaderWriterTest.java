package io.jangada.raft.examples.kv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.server.HttpClusterAccess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The bench's own HTTP writes against in-memory nodes behind real HTTP servers. */
class LeaderWriterTest {

  @Test
  void writesOverAKeptConnectionAndStartsANewOneAfterARefusal() throws Exception {
    try (HttpClusterAccess cluster = HttpClusterAccess.start(31)) {
      KvClient client = new KvClient(cluster.urlsFollowerFirst(), Duration.ofSeconds(10), false);
      LeaderWriter.Target target = new LeaderWriter.Target(client);
      try (LeaderWriter writer = new LeaderWriter(target)) {
        assertThat(put(cluster, () -> writer.put("a", bytes("1")))).isTrue();
        assertThat(put(cluster, () -> writer.put("b c", bytes("2")))).isTrue();
        // An empty key: 400. The writer drops the connection and opens a new one for the next.
        assertThat(put(cluster, () -> writer.put("", bytes("x")))).isFalse();
        assertThat(put(cluster, () -> writer.put("c", bytes("3")))).isTrue();
      }
      // The key went out percent-encoded and arrived whole.
      assertThat(get(cluster, client, "b c")).hasValue(bytes("2"));
    }
  }

  private static boolean put(HttpClusterAccess cluster, BooleanSupplier write) {
    return cluster.pump(() -> CompletableFuture.supplyAsync(write::getAsBoolean));
  }

  private static Optional<byte[]> get(HttpClusterAccess cluster, KvClient client, String key) {
    return cluster.pump(() -> CompletableFuture.supplyAsync(() -> client.get(key, "linearizable")));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
