package io.jangada.raft.examples.kv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.server.HttpClusterAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The bench loop's bookkeeping, on a tiny run against in-memory nodes (no timing asserted). */
class BenchCommandTest {

  @Test
  void runsTheClosedLoopAndPrintsOneResultLine() throws Exception {
    try (HttpClusterAccess cluster = HttpClusterAccess.start(3)) {
      KvClient client = new KvClient(cluster.urlsFollowerFirst(), Duration.ofSeconds(10), false);
      ByteArrayOutputStream progress = new ByteArrayOutputStream();
      BenchCommand.Result result =
          cluster.pump(
              () ->
                  CompletableFuture.supplyAsync(
                      () -> {
                        try {
                          return BenchCommand.run(
                              client,
                              3,
                              40,
                              10,
                              100,
                              new PrintStream(progress, true, StandardCharsets.UTF_8));
                        } catch (InterruptedException e) {
                          throw new CompletionException(e);
                        }
                      }));
      assertThat(result.errors()).isZero();
      assertThat(result.sortedNanos()).hasSize(40).isSorted();
      assertThat(result.line())
          .matches(
              "RESULT system=jangada-http clients=3 ops=40 ops_per_s=\\d+ p50_ms=[\\d.]+"
                  + " p99_ms=[\\d.]+ p999_ms=[\\d.]+");
      assertThat(result.percentileMs(0.5)).isLessThanOrEqualTo(result.percentileMs(0.999));
      assertThat(progress.toString(StandardCharsets.UTF_8)).contains("50/50 ops");
    }
  }
}
