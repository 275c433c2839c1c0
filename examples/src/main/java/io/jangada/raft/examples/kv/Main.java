package io.jangada.raft.examples.kv;

import io.jangada.raft.examples.kv.cli.BenchCommand;
import io.jangada.raft.examples.kv.cli.CliCommand;
import io.jangada.raft.examples.kv.demo.DemoCommand;
import io.jangada.raft.examples.kv.server.RecoverCommand;
import io.jangada.raft.examples.kv.server.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The fat jar's entry point: {@code java -jar raft-examples-…-all.jar server|cli|bench|demo …}.
 * Exit status 2 means a usage error (bad flag, port in use, unusable data directory).
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    version = "Jangada key-value example 0.1.0",
    description = "A replicated key-value store on Jangada (Raft).",
    subcommands = {
      ServerCommand.class,
      CliCommand.class,
      BenchCommand.class,
      DemoCommand.class,
      RecoverCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (picocli's usage errors exit with status 2). */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    // Every command's usage offers -V/--version (picocli's standard options): without a version of
    // their own, `kv cli -V` printed nothing.
    String[] version = commandLine.getCommandSpec().version();
    commandLine.getSubcommands().values().forEach(sub -> sub.getCommandSpec().version(version));
    // One-line errors: the message and a hint, not the whole usage text.
    commandLine.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine failed = e.getCommandLine();
          failed
              .getErr()
              .println(
                  "error: "
                      + e.getMessage()
                      + " (try: "
                      + failed.getCommandSpec().qualifiedName()
                      + " --help)");
          return 2;
        });
    // `kv dump --help` (no such command) would print the top-level help and exit 0, since a help
    // option skips picocli's check for unmatched arguments: refuse it like `kv dump`.
    commandLine.setExecutionStrategy(
        parseResult -> {
          if (!parseResult.unmatched().isEmpty()) {
            throw new CommandLine.UnmatchedArgumentException(
                parseResult.commandSpec().commandLine(), parseResult.unmatched());
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    commandLine.setExecutionExceptionHandler(
        (e, failed, parseResult) -> {
          if (e instanceof ServerCommand.StartupException) {
            failed.getErr().println("error: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return commandLine;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: server, cli, bench, demo or recover");
  }
}
