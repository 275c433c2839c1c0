package io.jangada.raft.examples.kv.cli;

import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.client.KvRaftClient;
import io.jangada.raft.examples.kv.server.HostPort;
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
      "The key-value client: runs one command, or reads commands interactively without one.",
      "Key-value commands go through the library's RaftClient (gRPC, to the nodes' Raft ports);",
      "STATUS, LEADER, TRANSFER and SNAPSHOT use the HTTP API. Both find the leader by itself.",
      "Examples:  kv cli put greeting hello   |   kv cli get greeting   |   kv cli  (interactive)",
      "Membership: kv cli members | add n4 127.0.0.1:7104 127.0.0.1:8104 | promote n4 | remove n1",
      "Exit status: 0 ok, 1 not found / CAS failed, 2 usage error, 3 cluster unavailable.",
      "Results go to stdout (a value exactly as stored, then a newline); errors, (not found) and",
      "a failed condition go to stderr."
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

  /** The bundled cluster's Raft (gRPC) endpoints, which serve the client protocol too. */
  public static final String DEFAULT_RAFT_NODES = "127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103";

  @Option(
      names = "--raft-nodes",
      split = ",",
      defaultValue = DEFAULT_RAFT_NODES,
      description =
          "host:port Raft addresses of the nodes, for RaftClient (default: ${DEFAULT-VALUE}).")
  List<String> raftNodes = new ArrayList<>();

  @Option(
      names = "--cluster-id",
      defaultValue = "kv",
      description = "The cluster's id, as the nodes' --cluster-id (default: ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(
      names = "--via",
      defaultValue = "raft-client",
      description =
          "How key-value commands travel: raft-client (RaftClient over gRPC) or http"
              + " (default: ${DEFAULT-VALUE}).")
  String via;

  @Option(
      names = "--timeout-ms",
      defaultValue = "15000",
      description =
          "Give up on a command after this long, retries included (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Parameters(description = "A command: PUT key value | GET key | DELETE key | CAS key old new | …")
  List<String> command = new ArrayList<>();

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean interactive;

  /** A command reading the process's stdin and writing to its stdout. */
  public CliCommand() {
    this(System.in, System.out, System.err, System.console() != null);
  }

  /** Errors and messages on {@code out} too (tests of the interactive shell). */
  CliCommand(InputStream in, PrintStream out, boolean interactive) {
    this(in, out, out, interactive);
  }

  /**
   * Results on {@code out}, everything else on {@code err}: errors, "(not found)", a failed
   * condition, so that {@code v=$(kv get k)} captures only the value.
   */
  CliCommand(InputStream in, PrintStream out, PrintStream err, boolean interactive) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.interactive = interactive;
  }

  @Override
  public Integer call() throws IOException {
    for (URI node : nodes) {
      if (!"http".equals(node.getScheme()) || node.getHost() == null) {
        err.println("error: --nodes expects http://host:port URLs, got '" + node + "'");
        return Shell.USAGE;
      }
    }
    if (timeoutMs <= 0) {
      err.println("error: --timeout-ms must be positive, got " + timeoutMs);
      return Shell.USAGE;
    }
    for (String node : raftNodes) {
      if (!isHostPort(node)) {
        err.println("error: --raft-nodes expects host:port addresses, got '" + node + "'");
        return Shell.USAGE;
      }
    }
    KvClient http = new KvClient(nodes, Duration.ofMillis(timeoutMs), true);
    if (via.equals("http")) {
      return session(new Shell(http, http, out, err));
    }
    if (!via.equals("raft-client")) {
      err.println("error: --via expects raft-client or http, got '" + via + "'");
      return Shell.USAGE;
    }
    try (KvRaftClient raft = new KvRaftClient(raftNodes, clusterId, Duration.ofMillis(timeoutMs))) {
      return session(new Shell(raft, http, out, err));
    } catch (IllegalStateException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return Shell.USAGE;
    }
  }

  /** Whether {@code text} is {@code host:port} with a port of 1 to 65535. */
  private static boolean isHostPort(String text) {
    try {
      return HostPort.parse(text).port() > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private int session(Shell shell) throws IOException {
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
