package io.jangada.raft.examples.kv.cli;

import io.jangada.raft.examples.kv.client.KvClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kv cli}: the key-value client. With a command ({@code kv cli put k v}) it runs it and
 * exits with its status; without one it reads commands from the terminal (with a prompt) or from
 * stdin (for scripts), one per line.
 */
@Command(
    name = "cli",
    mixinStandardHelpOptions = true,
    description = {
      "Talks to the key-value cluster over HTTP; finds the leader by itself.",
      "Examples:  kv cli put greeting hello   |   kv cli get greeting   |   kv cli  (interactive)",
      "Membership: kv cli members | add n4 127.0.0.1:7104 127.0.0.1:8104 | promote n4 | remove n1",
      "Exit status: 0 ok, 1 not found / CAS failed, 2 usage error, 3 cluster unavailable."
    })
public final class CliCommand implements Callable<Integer> {

  /** The bundled cluster's HTTP endpoints (run-cluster.sh). */
  public static final String DEFAULT_NODES =
      "http://127.0.0.1:8101,http://127.0.0.1:8102,http://127.0.0.1:8103";

  @Option(
      names = "--nodes",
      split = ",",
      defaultValue = DEFAULT_NODES,
      description = "HTTP base URLs of the nodes (default: ${DEFAULT-VALUE}).")
  List<URI> nodes = new ArrayList<>();

  @Option(
      names = "--timeout-ms",
      defaultValue = "15000",
      description = "Give up on a command after this long, retries included.")
  long timeoutMs;

  @Parameters(description = "A command: PUT key value | GET key | DELETE key | CAS key old new | …")
  List<String> command = new ArrayList<>();

  private final InputStream in;
  private final PrintStream out;
  private final boolean interactive;

  /** A command reading the process's stdin and writing to its stdout. */
  public CliCommand() {
    this(System.in, System.out, System.console() != null);
  }

  CliCommand(InputStream in, PrintStream out, boolean interactive) {
    this.in = in;
    this.out = out;
    this.interactive = interactive;
  }

  @Override
  public Integer call() throws IOException {
    for (URI node : nodes) {
      if (!"http".equals(node.getScheme()) || node.getHost() == null) {
        out.println("error: --nodes expects http://host:port URLs, got '" + node + "'");
        return Shell.USAGE;
      }
    }
    Shell shell = new Shell(new KvClient(nodes, Duration.ofMillis(timeoutMs), true), out);
    if (!command.isEmpty()) {
      int status = shell.run(command);
      return status == Shell.EXIT ? Shell.OK : status;
    }
    if (interactive) {
      out.println("Connected to " + nodes + ". Type HELP for commands, EXIT to leave.");
    }
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    int worst = Shell.OK;
    while (true) {
      if (interactive) {
        out.print("kv> ");
        out.flush();
      }
      String line = reader.readLine();
      if (line == null) {
        return worst;
      }
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      int status = shell.run(line);
      if (status == Shell.EXIT) {
        return worst;
      }
      worst = Math.max(worst, status);
    }
  }
}
