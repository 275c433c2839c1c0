package io.jangada.raft.examples.kv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jangada.raft.examples.kv.client.KvClientException;
import io.jangada.raft.examples.kv.client.MembersClient;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The shell's membership commands: {@code MEMBERS}, {@code ADD id raft-addr http-addr}, {@code
 * PROMOTE id}, {@code REMOVE id}. Exit statuses as {@link Shell}'s: 1 when the cluster refused the
 * change (not a member, another change in progress, learner not caught up), 2 for a usage error, 3
 * when the cluster cannot answer.
 *
 * <p>Not thread-safe (one per shell).
 */
final class MembersShell {

  static final String HELP =
      String.join(
          "\n",
          "  MEMBERS               show the configuration: voters, learners and their addresses",
          "  ADD id raft http      add node id (started with --join) as a learner, e.g.",
          "                        ADD n4 127.0.0.1:7104 127.0.0.1:8104",
          "  PROMOTE id            make the learner id a voter (once it has caught up)",
          "  REMOVE id             remove node id from the configuration (then stop it)");

  private static final Set<String> COMMANDS = Set.of("MEMBERS", "ADD", "PROMOTE", "REMOVE");

  private final MembersClient client;
  private final PrintStream out;
  private final PrintStream err;

  /** Results on {@code out}, errors on {@code err}. */
  MembersShell(MembersClient client, PrintStream out, PrintStream err) {
    this.client = client;
    this.out = out;
    this.err = err;
  }

  /** Runs {@code name} if it is a membership command; empty if it is not one. */
  Optional<Integer> run(String name, List<String> args) {
    String command = name.toUpperCase(Locale.ROOT);
    if (!COMMANDS.contains(command)) {
      return Optional.empty();
    }
    try {
      return Optional.of(dispatch(command, args));
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return Optional.of(Shell.USAGE);
    } catch (KvClientException e) {
      err.println("error: " + e.getMessage());
      if (e.outcomeUnknown()) {
        err.println("(the change may or may not have taken effect: run MEMBERS)");
      }
      int status = e.status();
      return Optional.of(
          status == 404 || status == 409
              ? Shell.NOT_DONE
              : status >= 400 && status < 500 ? Shell.USAGE : Shell.UNAVAILABLE);
    }
  }

  private int dispatch(String command, List<String> args) {
    switch (command) {
      case "MEMBERS" -> {
        usage(args, 0, "MEMBERS");
        print(client.members(), true);
      }
      case "ADD" -> {
        usage(args, 3, "ADD <id> <raft host:port> <http host:port>");
        requireAddress(args.get(1), "raft");
        requireAddress(args.get(2), "http");
        print(client.add(args.get(0), args.get(1), args.get(2)), false);
        out.println("OK: " + args.get(0) + " is a learner; PROMOTE it once it has caught up");
      }
      case "PROMOTE" -> {
        usage(args, 1, "PROMOTE <id>");
        print(client.promote(args.get(0)), false);
        out.println("OK: " + args.get(0) + " is a voter");
      }
      default -> {
        usage(args, 1, "REMOVE <id>");
        print(client.remove(args.get(0)), false);
        out.println("OK: " + args.get(0) + " is no longer a member; stop its process");
      }
    }
    return Shell.OK;
  }

  private static void usage(List<String> args, int count, String usage) {
    if (args.size() != count || args.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("usage: " + usage);
    }
  }

  /** A cheap local check, so that a typo is reported before any request. */
  private static void requireAddress(String text, String what) {
    int colon = text.lastIndexOf(':');
    boolean ok = colon > 0 && colon < text.length() - 1;
    if (ok) {
      try {
        int port = Integer.parseInt(text.substring(colon + 1));
        ok = port > 0 && port <= 65535;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "the " + what + " address must be host:port, got '" + text + "'");
    }
  }

  private void print(JsonNode config, boolean header) {
    if (header) {
      out.println(
          "configuration at index "
              + config.path("configIndex").asLong()
              + (config.path("committed").asBoolean(true) ? "" : " (not committed yet)")
              + (config.path("joint").asBoolean(false) ? ", joint" : "")
              + "; leader "
              + (config.path("leader").isTextual() ? config.path("leader").asText() : "unknown")
              + " (as seen by "
              + config.path("node").asText("?")
              + ")");
    }
    for (JsonNode member : config.path("members")) {
      out.printf(
          "%-6s %-13s raft %-21s http %s%n",
          member.path("id").asText(),
          member.path("role").asText(),
          text(member.path("raft")),
          text(member.path("http")));
    }
  }

  private static String text(JsonNode value) {
    return value.isTextual() ? value.asText() : "-";
  }
}
