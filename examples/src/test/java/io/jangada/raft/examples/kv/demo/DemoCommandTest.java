package io.jangada.raft.examples.kv.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kv demo} on the command line: output, timeline file, exit statuses. */
class DemoCommandTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private int run(String... args) {
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    return new CommandLine(new DemoCommand(out)).execute(args);
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void narratesAndWritesTheTimeline(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("basic.html");
    assertThat(run("basic", "--timeline", html.toString())).isZero();
    assertThat(output())
        .startsWith("kv demo basic (seed 1): ")
        .contains("LEADER of term 1")
        .contains("Check: no acknowledged write lost: ok")
        .contains("Timeline written to " + html.toAbsolutePath());
    assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg");
  }

  @Test
  void verboseShowsHeartbeats() {
    assertThat(run("partition")).isZero();
    String quiet = output();
    bytes.reset();
    assertThat(run("partition", "--verbose")).isZero();
    String verbose = output();
    assertThat(quiet).doesNotContain("heartbeat (term");
    assertThat(verbose).contains("heartbeat (term 2");
    assertThat(verbose.lines().count()).isGreaterThan(quiet.lines().count());
  }

  @Test
  void seedChangesTheStoryButNotTheOutcome() {
    assertThat(run("drop-leader", "--seed", "5")).isZero();
    assertThat(output()).startsWith("kv demo drop-leader (seed 5): ").contains(": ok (2 of 2");
  }

  @Test
  void unknownScenarioIsAUsageError() {
    assertThat(run("nope")).isEqualTo(2);
    assertThat(output()).contains("no scenario 'nope'").contains("lagging-follower");
  }

  @Test
  void isASubcommandOfTheKvCommandLine() {
    CommandLine kv = io.jangada.raft.examples.kv.Main.commandLine();
    assertThat(kv.getSubcommands()).containsKey("demo");
  }

  @Test
  void aTimelineThatCannotBeWrittenIsAUsageErrorInOneLine(@TempDir Path dir) {
    for (Path html : new Path[] {dir.resolve("missing-dir").resolve("t.html"), dir}) {
      bytes.reset();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      CommandLine demo =
          new CommandLine(new DemoCommand(out))
              .setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
      // 1 would say that a safety check failed: a path the user mistyped is a usage error.
      assertThat(demo.execute("basic", "--timeline", html.toString())).as("%s", html).isEqualTo(2);
      assertThat(output()).contains("error: cannot write the timeline to " + html.toAbsolutePath());
      assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("Exception");
    }
  }
}
