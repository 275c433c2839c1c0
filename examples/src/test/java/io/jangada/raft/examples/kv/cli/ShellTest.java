package io.jangada.raft.examples.kv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.examples.kv.Main;
import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.server.HttpClusterAccess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI's parsing and commands, against three in-memory Raft nodes behind real HTTP servers. */
class ShellTest {

  private static HttpClusterAccess cluster;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

  @BeforeAll
  static void start() throws Exception {
    cluster = HttpClusterAccess.start(11);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private String printed() {
    String text = output.toString(StandardCharsets.UTF_8);
    output.reset();
    return text;
  }

  /** Runs a shell line; the client starts at a follower so it must find the leader. */
  private int run(String line) {
    List<URI> urls = cluster.urlsFollowerFirst();
    Shell shell = new Shell(new KvClient(urls, Duration.ofSeconds(10), true), out);
    return cluster.pump(() -> CompletableFuture.supplyAsync(() -> shell.run(line)));
  }

  @Test
  void tokenizerHandlesQuotesAndEscapes() {
    assertThat(Shell.tokenize("  PUT  k   v ")).containsExactly("PUT", "k", "v");
    assertThat(Shell.tokenize("put \"hello world\" 'it''s'"))
        .containsExactly("put", "hello world", "its");
    assertThat(Shell.tokenize("put k \"say \\\"hi\\\"\""))
        .containsExactly("put", "k", "say \"hi\"");
    assertThat(Shell.tokenize("put k \"\"")).containsExactly("put", "k", "");
    assertThat(Shell.tokenize("a\\ b")).containsExactly("a b");
    assertThat(Shell.tokenize("   ")).isEmpty();
    assertThatThrownBy(() -> Shell.tokenize("put 'k")).hasMessageContaining("unterminated");
  }

  @Test
  void putGetDeleteCasCreate() {
    assertThat(run("PUT color blue")).isEqualTo(Shell.OK);
    assertThat(printed()).startsWith("OK (index ");
    assertThat(run("get color")).isEqualTo(Shell.OK);
    assertThat(printed()).isEqualTo("blue\n");
    assertThat(run("GET color stale")).isEqualTo(Shell.OK);
    assertThat(printed()).isEqualTo("blue\n");
    assertThat(run("CAS color red green")).isEqualTo(Shell.NOT_DONE);
    assertThat(printed()).contains("current value is 'blue'");
    assertThat(run("CAS color blue green")).isEqualTo(Shell.OK);
    assertThat(run("CREATE color x")).isEqualTo(Shell.NOT_DONE);
    assertThat(run("DELETE color")).isEqualTo(Shell.OK);
    printed();
    assertThat(run("GET color")).isEqualTo(Shell.NOT_DONE);
    assertThat(printed()).isEqualTo("(not found)\n");
    assertThat(run("CREATE color x")).isEqualTo(Shell.OK);
    assertThat(run("put \"two words\" 'a value'")).isEqualTo(Shell.OK);
    printed();
    assertThat(run("get \"two words\"")).isEqualTo(Shell.OK);
    assertThat(printed()).isEqualTo("a value\n");
  }

  @Test
  void snapshotPrintsTheIndexAndTransferMovesTheLeader() {
    assertThat(run("PUT before-snapshot 1")).isEqualTo(Shell.OK);
    printed();
    assertThat(run("SNAPSHOT")).isEqualTo(Shell.OK);
    assertThat(printed()).matches("OK: snapshot of n\\d at index \\d+ \\(term \\d+\\)\\R");
    String leader = cluster.leaderId();
    String target = leader.equals("n1") ? "n2" : "n1";
    assertThat(run("TRANSFER " + target)).as(printed()).isEqualTo(Shell.OK);
    assertThat(cluster.leaderId()).isEqualTo(target);
    assertThat(run("TRANSFER nobody")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("not a voter");
  }

  @Test
  void statusAndLeader() {
    assertThat(run("STATUS")).isEqualTo(Shell.OK);
    String status = printed();
    assertThat(status).contains("LEADER").contains("FOLLOWER").contains("ready");
    assertThat(status.lines()).hasSize(3);
    assertThat(run("leader")).isEqualTo(Shell.OK);
    assertThat(printed()).startsWith(cluster.leaderId() + " http://127.0.0.1:");
  }

  @Test
  void usageErrorsAreExplainedNotThrown() {
    assertThat(run("PUT onlykey")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("usage: PUT key value");
    assertThat(run("FROB x")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("unknown command 'FROB'");
    assertThat(run("GET k sloppy")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("consistency");
    assertThat(run("PUT '' v")).isEqualTo(Shell.USAGE);
    assertThat(printed()).contains("key must not be empty");
    assertThat(run("HELP")).isEqualTo(Shell.OK);
    assertThat(printed()).contains("CAS key old new");
    assertThat(run("exit")).isEqualTo(Shell.EXIT);
  }

  @Test
  void commandLineRunsOneCommandOrAScriptFromStdin() {
    String nodes =
        String.join(",", cluster.urlsFollowerFirst().stream().map(URI::toString).toList());
    CommandLine cli =
        new CommandLine(new CliCommand(new ByteArrayInputStream(new byte[0]), out, false));
    int status =
        cluster.pump(
            () ->
                CompletableFuture.supplyAsync(
                    () -> cli.execute("--via", "http", "--nodes", nodes, "put", "script", "1")));
    assertThat(status).isZero();
    printed();

    String script = "# a comment\nPUT a 1\n\nGET a\nGET missing\nEXIT\nPUT never 1\n";
    CommandLine fromStdin =
        new CommandLine(
            new CliCommand(
                new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), out, false));
    int scriptStatus =
        cluster.pump(
            () ->
                CompletableFuture.supplyAsync(
                    () -> fromStdin.execute("--via", "http", "--nodes", nodes)));
    assertThat(scriptStatus).isEqualTo(Shell.NOT_DONE); // the worst status: GET missing
    assertThat(printed().lines()).hasSize(3).element(1).isEqualTo("1");
  }

  /**
   * One command from the command line: stdout carries only the result (a value exactly as stored,
   * binary too, then a newline), so {@code v=$(kv get k)} captures the value; "(not found)", a
   * failed condition and every error go to stderr, with the documented exit status.
   */
  @Test
  void oneCommandPrintsItsResultOnStdoutAndEverythingElseOnStderr() {
    String nodes =
        String.join(",", cluster.urlsFollowerFirst().stream().map(URI::toString).toList());
    byte[] binary = {(byte) 0xff, 0, 'x', (byte) 0xc3};
    cluster.pump(
        () ->
            CompletableFuture.supplyAsync(
                () ->
                    new KvClient(cluster.urlsFollowerFirst(), Duration.ofSeconds(10), true)
                        .put("bin", binary)));
    record Run(int status, byte[] stdout, String stderr) {}
    java.util.function.Function<String[], Run> cli =
        args -> {
          ByteArrayOutputStream stdout = new ByteArrayOutputStream();
          ByteArrayOutputStream stderr = new ByteArrayOutputStream();
          CommandLine command =
              new CommandLine(
                  new CliCommand(
                      new ByteArrayInputStream(new byte[0]),
                      new PrintStream(stdout, true, StandardCharsets.UTF_8),
                      new PrintStream(stderr, true, StandardCharsets.UTF_8),
                      false));
          List<String> line = new java.util.ArrayList<>(List.of("--via", "http", "--nodes", nodes));
          line.addAll(List.of(args));
          int status =
              cluster.pump(
                  () ->
                      CompletableFuture.supplyAsync(
                          () -> command.execute(line.toArray(String[]::new))));
          return new Run(status, stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8));
        };

    Run put = cli.apply(new String[] {"put", "k", "v"});
    assertThat(put.status()).isEqualTo(Shell.OK);
    assertThat(new String(put.stdout(), StandardCharsets.UTF_8)).startsWith("OK");
    assertThat(put.stderr()).isEmpty();
    Run get = cli.apply(new String[] {"get", "bin"});
    assertThat(get.status()).isEqualTo(Shell.OK);
    byte[] expected = java.util.Arrays.copyOf(binary, binary.length + 1);
    expected[binary.length] = '\n';
    assertThat(get.stdout()).isEqualTo(expected);
    assertThat(get.stderr()).isEmpty();

    for (String[] args :
        List.of(
            new String[] {"get", "missing"},
            new String[] {"delete", "missing"},
            new String[] {"cas", "k", "other", "w"},
            new String[] {"create", "k", "w"})) {
      Run refused = cli.apply(args);
      assertThat(refused.status()).as(String.join(" ", args)).isEqualTo(Shell.NOT_DONE);
      assertThat(refused.stdout()).as(String.join(" ", args)).isEmpty();
      assertThat(refused.stderr()).as(String.join(" ", args)).isNotEmpty();
    }
    for (String[] args :
        List.of(
            new String[] {"get"},
            new String[] {"put", "k"},
            new String[] {"frobnicate"},
            new String[] {"get", "k", "sloppy"},
            new String[] {"transfer", "nobody"},
            new String[] {"promote"})) {
      Run wrong = cli.apply(args);
      assertThat(wrong.status()).as(String.join(" ", args)).isEqualTo(Shell.USAGE);
      assertThat(wrong.stdout()).as(String.join(" ", args)).isEmpty();
      assertThat(wrong.stderr()).as(String.join(" ", args)).startsWith("error: ");
    }
  }

  @Test
  void badFlagsExitWithStatus2AndOneLine() {
    StringWriter err = new StringWriter();
    CommandLine main = Main.commandLine().setErr(new PrintWriter(err));
    assertThat(main.execute("cli", "--bogus")).isEqualTo(2);
    assertThat(err.toString().lines()).hasSize(1).first().asString().startsWith("error: ");
    assertThat(main.execute("bench", "--workload", "W9")).isEqualTo(2);
    ByteArrayOutputStream printedVia = new ByteArrayOutputStream();
    CommandLine via =
        new CommandLine(
            new CliCommand(
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(printedVia, true, StandardCharsets.UTF_8),
                false));
    assertThat(via.execute("--via", "pigeon", "get", "k")).isEqualTo(Shell.USAGE);
    assertThat(printedVia.toString(StandardCharsets.UTF_8)).contains("raft-client or http");
    assertThat(main.execute()).isEqualTo(2);
  }

  @Test
  void malformedRaftNodesAreAUsageErrorNotRetriedUntilTheDeadline() {
    for (String bad : List.of("foo", "127.0.0.1:99999", "127.0.0.1:", ":7101", "127.0.0.1:x")) {
      ByteArrayOutputStream printedRaft = new ByteArrayOutputStream();
      CommandLine cli =
          new CommandLine(
              new CliCommand(
                  new ByteArrayInputStream(new byte[0]),
                  new PrintStream(printedRaft, true, StandardCharsets.UTF_8),
                  false));
      long started = System.nanoTime();
      assertThat(cli.execute("--raft-nodes", bad, "--timeout-ms", "20000", "get", "k"))
          .as(bad)
          .isEqualTo(Shell.USAGE);
      assertThat(printedRaft.toString(StandardCharsets.UTF_8))
          .as(bad)
          .startsWith("error: --raft-nodes expects host:port");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void aTimeoutThatIsNotPositiveIsAUsageErrorOnEitherPath() {
    for (String via : List.of("http", "raft-client")) {
      for (String timeout : List.of("0", "-5")) {
        ByteArrayOutputStream printedTimeout = new ByteArrayOutputStream();
        CommandLine cli =
            new CommandLine(
                new CliCommand(
                    new ByteArrayInputStream(new byte[0]),
                    new PrintStream(printedTimeout, true, StandardCharsets.UTF_8),
                    false));
        assertThat(cli.execute("--via", via, "--timeout-ms", timeout, "get", "k"))
            .as("--via %s --timeout-ms %s", via, timeout)
            .isEqualTo(Shell.USAGE);
        assertThat(printedTimeout.toString(StandardCharsets.UTF_8))
            .isEqualTo("error: --timeout-ms must be positive, got " + timeout + "\n");
      }
    }
  }
}
