package io.jangada.raft.examples.kv.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kv demo <scenario>}: runs a scenario on an in-process cluster of real {@code RaftNode}s
 * with the key-value state machine, in virtual time (so it takes a fraction of a second and the
 * same seed always tells the same story), and narrates what happens. {@code --timeline} also writes
 * the run as a self-contained HTML page with one lane per node.
 *
 * <p>Exit status: 0 when every safety check holds, 1 when one fails, 2 for a usage error.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Watch Raft work: runs a scenario on an in-process cluster in virtual time and narrates it.",
      "Scenarios: basic, lagging-follower, drop-leader, partition, transfer, membership.",
      "Example:  kv demo basic   |   kv demo partition --timeline partition.html"
    })
public final class DemoCommand implements Callable<Integer> {

  @Parameters(
      paramLabel = "<scenario>",
      description = "basic | lagging-follower | drop-leader | partition | transfer | membership")
  String scenario;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the election timeouts (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--verbose", description = "Show every message, heartbeats included.")
  boolean verbose;

  @Option(
      names = "--timeline",
      paramLabel = "FILE",
      description = "Also write the run as an HTML page (open it in any browser).")
  Path timeline;

  /** slf4j-simple reads a logger's level when the logger is created: before the nodes exist. */
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.log.io.jangada.raft";

  private final PrintStream out;

  /** A command printing to the process's stdout. */
  public DemoCommand() {
    this(new PrintStream(System.out, true, StandardCharsets.UTF_8));
  }

  DemoCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws IOException {
    Optional<Scenario> chosen = Scenarios.named(scenario);
    if (chosen.isEmpty()) {
      out.println("error: no scenario '" + scenario + "'; choose one of: " + Scenarios.names());
      return 2;
    }
    // The nodes log their startup at INFO; the narration tells the story instead.
    if (System.getProperty(LOG_LEVEL) == null) {
      System.setProperty(LOG_LEVEL, "warn");
    }
    DemoRun run = DemoRun.play(chosen.get(), seed);
    List<String> narration = Narrator.narrate(run, verbose);
    narration.forEach(out::println);
    if (timeline != null) {
      try {
        Files.writeString(timeline, Timeline.html(run, narration), StandardCharsets.UTF_8);
      } catch (IOException e) {
        // A mistyped path, not a failed check (status 1): say so in one line.
        out.println("error: cannot write the timeline to " + timeline.toAbsolutePath() + ": " + e);
        return 2;
      }
      out.println("Timeline written to " + timeline.toAbsolutePath());
    }
    return run.checks().stream().allMatch(DemoRun.Check::passed) ? 0 : 1;
  }
}
