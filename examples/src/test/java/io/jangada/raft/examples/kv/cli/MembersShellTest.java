package io.jangada.raft.examples.kv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.server.HttpClusterAccess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** MEMBERS, ADD, PROMOTE and REMOVE against three in-memory nodes and a fourth that joins. */
class MembersShellTest {

  private HttpClusterAccess cluster;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

  @BeforeEach
  void start() throws Exception {
    cluster = HttpClusterAccess.start(23);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private String printed() {
    String text = output.toString(StandardCharsets.UTF_8);
    output.reset();
    return text;
  }

  /** Runs a shell line; the client starts at a follower, which relays changes to the leader. */
  private int run(String line) {
    List<URI> urls = cluster.urlsFollowerFirst();
    Shell shell = new Shell(new KvClient(urls, Duration.ofSeconds(10), true), out);
    return cluster.pump(() -> CompletableFuture.supplyAsync(() -> shell.run(line)));
  }

  @Test
  void addPromoteAndRemoveANode() {
    assertThat(run("MEMBERS")).isEqualTo(Shell.OK);
    String members = printed();
    assertThat(members)
        .startsWith("configuration at index ")
        .contains("leader " + cluster.leaderId());
    assertThat(members.lines().skip(1)).hasSize(3).allMatch(l -> l.contains("VOTER"));

    cluster.join("n4");
    assertThat(run("add n4 127.0.0.1:7104 127.0.0.1:8104")).isEqualTo(Shell.OK);
    assertThat(printed())
        .contains("n4     LEARNER       raft 127.0.0.1:7104")
        .contains("http http://127.0.0.1:8104")
        .contains("OK: n4 is a learner");

    int promoted = Shell.NOT_DONE;
    for (int attempt = 0; attempt < 50 && promoted == Shell.NOT_DONE; attempt++) {
      promoted = run("PROMOTE n4");
      String text = printed();
      if (promoted == Shell.NOT_DONE) {
        assertThat(text).contains("has not caught up");
        cluster.advance(Duration.ofMillis(200));
      } else {
        assertThat(text).contains("OK: n4 is a voter");
      }
    }
    assertThat(promoted).isEqualTo(Shell.OK);

    assertThat(run("REMOVE n4")).isEqualTo(Shell.OK);
    assertThat(printed()).contains("OK: n4 is no longer a member").doesNotContain("n4     ");
    assertThat(run("MEMBERS")).isEqualTo(Shell.OK);
    assertThat(printed()).doesNotContain("n4");
  }

  @Test
  void refusalsAndUsageErrorsHaveTheirExitStatus() {
    assertThat(run("REMOVE n9")).isEqualTo(Shell.NOT_DONE);
    assertThat(printed()).contains("HTTP 404").contains("not a member");
    assertThat(run("ADD n5 127.0.0.1:7105")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("usage: ADD <id> <raft host:port> <http host:port>");
    assertThat(run("ADD n5 nohost 127.0.0.1:8105")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("raft address must be host:port");
    assertThat(run("ADD n5 127.0.0.1:7105 127.0.0.1:0")).isEqualTo(Shell.USAGE);
    assertThat(run("ADD 'n 5' 127.0.0.1:7105 127.0.0.1:8105")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("HTTP 400");
    assertThat(run("PROMOTE")).isEqualTo(Shell.USAGE);
    assertThat(run("members extra")).isEqualTo(Shell.USAGE);
    assertThat(run("HELP")).isEqualTo(Shell.OK);
    assertThat(printed()).contains("ADD id raft http").contains("PROMOTE id").contains("REMOVE id");
  }

  @Test
  void oneShotCommandLine() {
    String nodes =
        String.join(",", cluster.urlsFollowerFirst().stream().map(URI::toString).toList());
    CommandLine cli =
        new CommandLine(new CliCommand(new ByteArrayInputStream(new byte[0]), out, false));
    int status =
        cluster.pump(
            () -> CompletableFuture.supplyAsync(() -> cli.execute("--nodes", nodes, "members")));
    assertThat(status).isZero();
    assertThat(printed()).contains("configuration at index").contains("VOTER");
  }

  /** --timeout-ms bounds the membership commands too, like every other command. */
  @Test
  void membershipCommandsGiveUpAfterTheTimeoutMsWhenNoNodeAnswers() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    for (String command : List.of("members", "promote n9")) {
      CommandLine cli =
          new CommandLine(new CliCommand(new ByteArrayInputStream(new byte[0]), out, false));
      List<String> line =
          new java.util.ArrayList<>(
              List.of("--via", "http", "--nodes", "http://127.0.0.1:" + port, "--timeout-ms"));
      line.add("700");
      line.addAll(List.of(command.split(" ")));
      long started = System.nanoTime();
      assertThat(cli.execute(line.toArray(String[]::new))).as(command).isEqualTo(Shell.UNAVAILABLE);
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
          .as(command)
          .isLessThan(java.time.Duration.ofSeconds(8));
      assertThat(printed()).as(command).contains("within PT0.7S");
    }
  }
}
