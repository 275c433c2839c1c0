package io.jangada.raft.examples.kv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.server.HttpClusterAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
      // The client lists a follower first: every write still got its 200 straight from the leader.
      assertThat(result.fallbacks()).isZero();
      assertThat(result.sortedNanos()).hasSize(40).isSorted();
      assertThat(result.line())
          .matches(
              "RESULT system=jangada-http clients=3 ops=40 ops_per_s=\\d+ p50_ms=[\\d.]+"
                  + " p99_ms=[\\d.]+ p999_ms=[\\d.]+ client_cpu_us_per_op=\\d+");
      assertThat(result.percentileMs(0.5)).isLessThanOrEqualTo(result.percentileMs(0.999));
      assertThat(progress.toString(StandardCharsets.UTF_8)).contains("50/50 ops");
    }
  }

  @Test
  void writesGoToTheLeaderTheClusterNames() throws Exception {
    try (HttpClusterAccess cluster = HttpClusterAccess.start(5)) {
      List<URI> followerFirst = cluster.urlsFollowerFirst();
      KvClient client = new KvClient(followerFirst, Duration.ofSeconds(10), false);
      LeaderWriter.Target target = new LeaderWriter.Target(client);
      assertThat(target.leader()).isNotEqualTo(followerFirst.get(0));
      assertThat(client.status(target.leader()).path("id").asText()).isEqualTo(cluster.leaderId());
      assertThat(client.status(target.leader()).path("role").asText()).isEqualTo("LEADER");
    }
  }

  @Test
  void keysAreTheZeroPaddedOpNumber() {
    assertThat(BenchCommand.key(0)).isEqualTo("k000000000000000");
    assertThat(BenchCommand.key(1234)).isEqualTo(String.format("k%015d", 1234));
    assertThat(BenchCommand.key(999_999_999_999_999L)).isEqualTo("k999999999999999");
  }
}
