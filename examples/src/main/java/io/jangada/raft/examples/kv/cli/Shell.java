package io.jangada.raft.examples.kv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.client.KvClientException;
import io.jangada.raft.examples.kv.client.KvStore;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs the interactive client's commands ({@code PUT key value}, {@code GET key}, …) against a
 * {@link KvClient} and prints human-readable answers. Command names are case-insensitive; words may
 * be quoted with {@code "} or {@code '}.
 *
 * <p>Not thread-safe (one shell per terminal).
 */
final class Shell {

  /** Exit status: success. */
  static final int OK = 0;

  /** Exit status: a key was absent or a compare-and-set failed. */
  static final int NOT_DONE = 1;

  /** Exit status: the command was malformed. */
  static final int USAGE = 2;

  /** Exit status: the cluster could not answer. */
  static final int UNAVAILABLE = 3;

  /** Returned by {@code EXIT}. */
  static final int EXIT = -1;

  static final String HELP =
      String.join(
          "\n",
          "Commands (case-insensitive; quote words with spaces):",
          "  PUT key value         set key to value",
          "  GET key [mode]        read key; mode: linearizable (default), lease, stale",
          "  DELETE key            remove key",
          "  CAS key old new       set key to new only if it holds old",
          "  CREATE key value      set key only if it does not exist",
          "  STATUS                show every node's role, term and indexes",
          "  LEADER                show the current leader",
          "  TRANSFER id           make node id the leader (leadership transfer)",
          "  SNAPSHOT              take a snapshot on the leader now; prints its index",
          MembersShell.HELP,
          "  HELP                  this text",
          "  EXIT                  leave");

  private final KvStore data;
  private final KvClient client;
  private final PrintStream out;
  // Errors, "(not found)" and failed conditions: stdout carries only results.
  private final PrintStream err;
  private final MembersShell members;

  /** A shell doing everything over HTTP through {@code client}, printing everything to out. */
  Shell(KvClient client, PrintStream out) {
    this(client, client, out, out);
  }

  /**
   * A shell sending key-value commands to {@code data} and the cluster commands (STATUS, LEADER,
   * TRANSFER, SNAPSHOT, which exist only in the HTTP API) to {@code client}; results go to {@code
   * out}, and to {@code err} errors and the answers of commands that did not do what they asked
   * ("(not found)", a failed condition).
   */
  Shell(KvStore data, KvClient client, PrintStream out, PrintStream err) {
    this.data = data;
    this.client = client;
    this.out = out;
    this.err = err;
    this.members =
        new MembersShell(
            new io.jangada.raft.examples.kv.client.MembersClient(
                client.nodes(), client.timeout()), // --timeout-ms, as for every command
            out,
            err);
  }

  /** Runs one command line; returns an exit status ({@link #EXIT} for EXIT). */
  int run(String line) {
    List<String> words;
    try {
      words = tokenize(line);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return USAGE;
    }
    return words.isEmpty() ? OK : run(words);
  }

  /** Runs one command given as words. */
  int run(List<String> words) {
    String name = words.get(0).toUpperCase(Locale.ROOT);
    List<String> args = words.subList(1, words.size());
    try {
      switch (name) {
        case "PUT":
          requireArgs(name, args, 2, "PUT key value");
          KvClient.Written written = data.put(args.get(0), utf8(args.get(1)));
          out.println(
              written.index() > 0
                  ? "OK (index " + written.index() + ", term " + written.term() + ")"
                  : "OK");
          return OK;
        case "GET":
          if (args.size() != 1 && args.size() != 2) {
            throw new IllegalArgumentException("usage: GET key [linearizable|lease|stale]");
          }
          if (args.get(0).isEmpty()) {
            throw new IllegalArgumentException("the key must not be empty");
          }
          Optional<byte[]> value =
              data.get(args.get(0), args.size() == 2 ? args.get(1) : "linearizable");
          if (value.isEmpty()) {
            err.println("(not found)");
            return NOT_DONE;
          }
          out.write(value.get(), 0, value.get().length); // as stored: a value need not be text
          out.println();
          return OK;
        case "DELETE":
        case "DEL":
          requireArgs(name, args, 1, "DELETE key");
          boolean deleted = data.delete(args.get(0));
          (deleted ? out : err).println(deleted ? "OK" : "(not found)");
          return deleted ? OK : NOT_DONE;
        case "CAS":
          requireArgs(name, args, 3, "CAS key old new");
          return cas(args.get(0), Optional.of(args.get(1)), args.get(2));
        case "CREATE":
          requireArgs(name, args, 2, "CREATE key value");
          return cas(args.get(0), Optional.empty(), args.get(1));
        case "STATUS":
          requireArgs(name, args, 0, "STATUS");
          return status();
        case "LEADER":
          requireArgs(name, args, 0, "LEADER");
          JsonNode status = client.status();
          if (status.path("leader").isNull() || status.path("leader").isMissingNode()) {
            err.println("(no leader known)");
            return UNAVAILABLE;
          }
          out.println(status.path("leader").asText() + " " + status.path("leaderHttp").asText());
          return OK;
        case "TRANSFER":
          requireArgs(name, args, 1, "TRANSFER <node id>");
          JsonNode moved = client.transferLeader(args.get(0));
          out.println("OK: " + moved.path("leader").asText() + " leads term " + moved.path("term"));
          return OK;
        case "SNAPSHOT":
          requireArgs(name, args, 0, "SNAPSHOT");
          return snapshot();
        case "HELP":
        case "?":
          out.println(HELP);
          return OK;
        case "EXIT":
        case "QUIT":
          return EXIT;
        default:
          Optional<Integer> membership = members.run(name, args);
          if (membership.isPresent()) {
            return membership.get();
          }
          err.println("error: unknown command '" + words.get(0) + "'; type HELP");
          return USAGE;
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return USAGE;
    } catch (KvClientException e) {
      err.println("error: " + e.getMessage());
      if (e.outcomeUnknown()) {
        err.println("(the write may or may not have taken effect)");
      }
      return e.status() >= 400 && e.status() < 500 ? USAGE : UNAVAILABLE;
    }
  }

  private int cas(String key, Optional<String> expected, String value) {
    KvClient.CasResult result = data.cas(key, expected, utf8(value));
    if (result.succeeded()) {
      out.println("OK");
      return OK;
    }
    err.println(
        result
            .current()
            .map(c -> "FAILED: the current value is '" + c + "'")
            .orElse("FAILED: the key does not exist"));
    return NOT_DONE;
  }

  private int snapshot() {
    JsonNode status = client.status();
    String leaderHttp = status.path("leaderHttp").asText("");
    if (leaderHttp.isEmpty() || status.path("leaderHttp").isNull()) {
      err.println("error: no leader is known right now; retry shortly");
      return UNAVAILABLE;
    }
    try {
      JsonNode meta = client.snapshot(URI.create(leaderHttp));
      out.println(
          "OK: snapshot of "
              + meta.path("node").asText()
              + " at index "
              + meta.path("index").asLong()
              + " (term "
              + meta.path("term").asLong()
              + ")");
      return OK;
    } catch (java.io.IOException e) {
      err.println("error: " + leaderHttp + ": " + e);
      return UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNAVAILABLE;
    }
  }

  private int status() {
    int reachable = 0;
    for (URI node : client.nodes()) {
      try {
        JsonNode s = client.status(node);
        boolean ready = client.ready(node);
        reachable++;
        out.printf(
            "%-6s %-13s %-9s term %-4d commit %-7d applied %-7d last %-7d snapshot %-7d %s%n",
            s.path("id").asText(),
            s.path("role").asText(),
            ready ? "ready" : "not-ready",
            s.path("term").asLong(),
            s.path("commitIndex").asLong(),
            s.path("appliedIndex").asLong(),
            s.path("lastIndex").asLong(),
            s.path("snapshotIndex").asLong(),
            node);
      } catch (java.io.IOException | RuntimeException e) {
        out.printf("%-6s %-13s %s%n", "?", "UNREACHABLE", node);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return UNAVAILABLE;
      }
    }
    return reachable > 0 ? OK : UNAVAILABLE;
  }

  private static void requireArgs(String name, List<String> args, int count, String usage) {
    if (args.size() != count) {
      throw new IllegalArgumentException("usage: " + usage);
    }
    if (count > 0 && args.get(0).isEmpty() && !name.equals("STATUS")) {
      throw new IllegalArgumentException("the key must not be empty");
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Splits a command line into words; {@code "…"} and {@code '…'} group words with spaces, and a
   * backslash escapes the next character inside double quotes or outside quotes.
   *
   * @throws IllegalArgumentException on an unterminated quote
   */
  static List<String> tokenize(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (c == '\\' && i + 1 < line.length()) {
        word.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unterminated " + quote + " quote");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
