package io.jangada.raft.examples.kv.demo;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.Message.ReadIndexRequest;
import io.jangada.raft.model.Message.ReadIndexResponse;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a {@link DemoRun} into plain lines: a header, one line per step that matters (elections,
 * votes, entries and their acknowledgements, commits and applies, crashes), the final state of
 * every node and the safety checks. By default heartbeats and acknowledgements that tell nothing
 * new are left out, so a scenario fits on one screen; verbose mode shows every message.
 *
 * <p>Lines at the same virtual time with the same text are merged: {@code n2 -> n1,n3}.
 *
 * <p>Thread: one narration per instance.
 */
final class Narrator {

  private static final String CLIENT = "client";
  private static final int ACTOR_WIDTH = 14;

  private final boolean verbose;
  private final List<Line> lines = new ArrayList<>();
  private final Map<List<Object>, Long> lastAck = new HashMap<>();
  private final Map<NodeId, Event.RoleChanged> roles = new HashMap<>();

  /**
   * One narrated step before rendering. {@code to} is empty for a step without an addressee; {@code
   * prefix} is a role change told together with the message it caused; {@code lost} maps an
   * addressee to why the network dropped its copy.
   */
  private static final class Line {
    final long nanos;
    final List<String> from;
    final List<String> to;
    final String text;
    String prefix = "";
    boolean pendingRole;
    String shortRole = "";
    final Map<String, String> lost = new LinkedHashMap<>();

    Line(long nanos, List<String> from, List<String> to, String text) {
      this.nanos = nanos;
      this.from = new ArrayList<>(from);
      this.to = new ArrayList<>(to);
      this.text = text;
    }

    String render() {
      if (from.isEmpty()) {
        return String.format("%8s  %s", time(nanos), text);
      }
      String actor = String.join(",", from) + (to.isEmpty() ? "" : " -> " + String.join(",", to));
      String said = prefix.isEmpty() ? text : prefix + ": " + text;
      return String.format("%8s  %-" + ACTOR_WIDTH + "s %s%s", time(nanos), actor, said, lost())
          .stripTrailing();
    }

    private String lost() {
      if (lost.isEmpty()) {
        return "";
      }
      Set<String> reasons = new LinkedHashSet<>(lost.values());
      if (lost.size() == to.size() && reasons.size() == 1) {
        return "  [lost: " + reasons.iterator().next() + "]";
      }
      List<String> parts = new ArrayList<>();
      lost.forEach((target, reason) -> parts.add("to " + target + " lost: " + reason));
      return "  [" + String.join("; ", parts) + "]";
    }
  }

  Narrator(boolean verbose) {
    this.verbose = verbose;
  }

  /** The whole narration of {@code run}, one string per output line. */
  static List<String> narrate(DemoRun run, boolean verbose) {
    return new Narrator(verbose).lines(run);
  }

  private List<String> lines(DemoRun run) {
    List<String> out = new ArrayList<>();
    Scenario scenario = run.scenario();
    out.add("kv demo " + scenario.name() + " (seed " + run.seed() + "): " + scenario.summary());
    out.add(
        scenario.nodes()
            + " nodes in virtual time: tick "
            + DemoCluster.TICK.toMillis()
            + " ms, election timeout "
            + DemoCluster.CONFIG.electionTicks()
            + "-"
            + 2 * DemoCluster.CONFIG.electionTicks()
            + " ticks, heartbeat every "
            + DemoCluster.CONFIG.heartbeatTicks()
            + " ticks, latency "
            + DemoCluster.LATENCY.toMillis()
            + " ms.");
    out.add(
        verbose
            ? "Every message is shown (sender -> addressee)."
            : "Heartbeats and repeated acks are hidden; --verbose shows every message.");
    events(run.events());
    lines.forEach(line -> out.add(line.render()));
    out.add("Final state, read from each node's own copy of the map:");
    run.nodes()
        .forEach(
            (id, node) ->
                out.add(
                    String.format(
                            "  %-4s %-9s term %-3d commit %-3d %s",
                            id, node.role(), node.term(), node.commitIndex(), node.contents())
                        .stripTrailing()));
    for (DemoRun.Check check : run.checks()) {
      out.add(
          "Check: "
              + check.name()
              + ": "
              + (check.passed() ? "ok" : "FAILED")
              + " ("
              + check.detail()
              + ")");
    }
    return out;
  }

  private void events(List<Event> events) {
    boolean[] consumed = new boolean[events.size()];
    Set<List<Object>> restored = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      if (consumed[i]) {
        continue;
      }
      if (event instanceof Event.Note n) {
        add(n.nanos(), List.of(), List.of(), "-- " + n.text());
      } else if (event instanceof Event.Sent s) {
        if (shown(s.message())) {
          add(
              s.nanos(),
              List.of(s.message().from().toString()),
              List.of(s.message().to().toString()),
              MessageText.describe(s.message()),
              s.dropReason());
        }
      } else if (event instanceof Event.RoleChanged r) {
        add(r.nanos(), node(r.node()), List.of(), role(r, roles.get(r.node())));
        roles.put(r.node(), r);
        Line line = lines.get(lines.size() - 1);
        if (r.role() == Role.PRE_CANDIDATE) {
          line.pendingRole = true;
          line.shortRole = "timeout, pre-candidate";
        } else if (r.role() == Role.CANDIDATE) {
          line.pendingRole = true;
          line.shortRole = "candidate, votes for itself";
        } else if (r.role() == Role.LEADER) {
          line.pendingRole = true;
          line.shortRole = "LEADER of term " + r.term();
        }
      } else if (event instanceof Event.Committed c) {
        List<Event.Applied> applied = new ArrayList<>();
        for (int j = i + 1; j < events.size() && events.get(j).nanos() == c.nanos(); j++) {
          if (events.get(j) instanceof Event.Applied a
              && a.node().equals(c.node())
              && a.index() <= c.index()
              && !consumed[j]) {
            applied.add(a);
            consumed[j] = true;
          }
        }
        boolean leader = roles.containsKey(c.node()) && roles.get(c.node()).role() == Role.LEADER;
        if (verbose || leader || !applied.isEmpty()) {
          add(
              c.nanos(),
              node(c.node()),
              List.of(),
              "commit " + c.index() + (applied.isEmpty() ? "" : ", " + applies(applied)));
        }
      } else if (event instanceof Event.Applied a) {
        add(a.nanos(), node(a.node()), List.of(), applies(List.of(a)));
      } else if (event instanceof Event.SnapshotRestored s) {
        restored.add(List.of(s.node(), s.index()));
        add(
            s.nanos(),
            node(s.node()),
            List.of(),
            "map restored from a snapshot up to " + s.index() + "/" + s.term());
      } else if (event instanceof Event.SnapshotTaken s) {
        if (!restored.contains(List.of(s.node(), s.index()))) {
          add(
              s.nanos(),
              node(s.node()),
              List.of(),
              "snapshot up to " + s.index() + "/" + s.term() + ", log compacted");
        }
      } else if (event instanceof Event.Proposed p) {
        List<Event.Proposed> batch = new ArrayList<>(List.of(p));
        for (int j = i + 1;
            j < events.size()
                && events.get(j) instanceof Event.Proposed q
                && q.nanos() == p.nanos()
                && q.node().equals(p.node());
            j++) {
          batch.add((Event.Proposed) events.get(j));
          consumed[j] = true;
        }
        add(p.nanos(), List.of(CLIENT), node(p.node()), proposals(batch));
      } else if (event instanceof Event.Answered a) {
        List<Event.Answered> batch = new ArrayList<>(List.of(a));
        for (int j = i + 1;
            a.ok() && j < events.size() && events.get(j).nanos() == a.nanos();
            j++) {
          if (events.get(j) instanceof Event.Answered b
              && b.ok()
              && b.node().equals(a.node())
              && b.outcome().equals(a.outcome())
              && b.term() == a.term()) {
            batch.add(b);
            consumed[j] = true;
          } else if (!consumed[j]) {
            break;
          }
        }
        add(a.nanos(), node(a.node()), List.of(CLIENT), answers(batch));
      } else if (event instanceof Event.Crashed c) {
        add(c.nanos(), node(c.node()), List.of(), "CRASHES (stops at once)");
      } else if (event instanceof Event.Restarted r) {
        add(r.nanos(), node(r.node()), List.of(), "restarts from its durable log and term/vote");
      } else if (event instanceof Event.Delivered
          || event instanceof Event.LinkCut
          || event instanceof Event.Healed) {
        continue; // the notes tell about the network; the timeline draws deliveries
      } else {
        throw new AssertionError(event);
      }
    }
  }

  /** Whether the default narration shows {@code m}: not heartbeats, reads or repeated acks. */
  private boolean shown(Message m) {
    if (verbose) {
      return true;
    }
    if (m instanceof Heartbeat
        || m instanceof HeartbeatResponse
        || m instanceof ReadIndexRequest
        || m instanceof ReadIndexResponse) {
      return false;
    }
    if (m instanceof AppendRequest a) {
      return !a.entries().isEmpty();
    }
    if (m instanceof AppendResponse a && a.success()) {
      List<Object> key = List.of(a.from(), a.to(), a.term());
      Long last = lastAck.get(key);
      if (last != null && last >= a.matchIndex()) {
        return false;
      }
      lastAck.put(key, a.matchIndex());
    }
    return true;
  }

  private static String role(Event.RoleChanged r, Event.RoleChanged before) {
    switch (r.role()) {
      case FOLLOWER:
        if (before != null && before.role() == Role.LEADER && before.term() == r.term()) {
          return "steps down: no word from a majority for an election timeout (CheckQuorum)";
        }
        if (before != null && before.term() < r.term()) {
          return "follower in term " + r.term() + " (saw the higher term)";
        }
        return "follower in term " + r.term();
      case PRE_CANDIDATE:
        return "election timeout, pre-candidate (term stays " + r.term() + ")";
      case CANDIDATE:
        return "candidate in term " + r.term() + ", votes for itself";
      case LEADER:
        return "LEADER of term " + r.term();
      case LEARNER:
        return "learner in term " + r.term();
    }
    throw new AssertionError(r.role());
  }

  private static String proposals(List<Event.Proposed> batch) {
    if (batch.size() == 1) {
      return batch.get(0).command();
    }
    return batch.get(0).command()
        + " ... "
        + batch.get(batch.size() - 1).command()
        + " ("
        + batch.size()
        + " writes)";
  }

  private static String answers(List<Event.Answered> batch) {
    Event.Answered first = batch.get(0);
    if (!first.ok()) {
      return "failed: " + first.outcome() + explain(first.outcome());
    }
    String index =
        batch.size() == 1
            ? "index " + first.index()
            : batch.size()
                + " writes, index "
                + first.index()
                + ".."
                + batch.get(batch.size() - 1).index();
    return first.outcome() + " (" + index + ", term " + first.term() + ")";
  }

  private static String explain(String error) {
    switch (error) {
      case "IndeterminateResultException":
        return " (leader lost after appending it: outcome unknown)";
      case "NotLeaderException":
        return " (not the leader; nothing was appended)";
      default:
        return "";
    }
  }

  private static String applies(List<Event.Applied> applied) {
    Event.Applied first = applied.get(0);
    if (applied.size() == 1) {
      return "apply " + first.index() + " " + first.command() + " = " + first.result();
    }
    Event.Applied last = applied.get(applied.size() - 1);
    boolean allOk = applied.stream().allMatch(a -> a.result().equals("OK"));
    return "apply "
        + first.index()
        + ".."
        + last.index()
        + ": "
        + first.command()
        + " ... "
        + last.command()
        + (allOk ? " (all OK)" : "");
  }

  private static List<String> node(NodeId id) {
    return List.of(id.toString());
  }

  private void add(long nanos, List<String> from, List<String> to, String text) {
    add(nanos, from, to, text, Optional.empty());
  }

  /**
   * Appends a line, or folds it into the previous one when both say the same thing at the same
   * time: one sender to several addressees, or several senders (or nodes) alike. A role change
   * waits for the next line: if its node sends something at the same moment, both share a line.
   */
  private void add(
      long nanos, List<String> from, List<String> to, String text, Optional<String> lostReason) {
    Line previous = lines.isEmpty() ? null : lines.get(lines.size() - 1);
    if (previous != null && previous.nanos == nanos && previous.text.equals(text)) {
      if (previous.from.equals(from)
          && !to.isEmpty()
          && !previous.to.isEmpty()
          && previous.to.stream().noneMatch(to::contains)) {
        for (String target : to) {
          previous.to.add(target);
          lostReason.ifPresent(reason -> previous.lost.put(target, reason));
        }
        return;
      }
      if (previous.to.equals(to)
          && previous.from.stream().noneMatch(from::contains)
          && lostReason.isEmpty()
          && previous.lost.isEmpty()
          && previous.prefix.isEmpty()
          && !previous.pendingRole) {
        previous.from.addAll(from);
        return;
      }
    }
    Line line = new Line(nanos, from, to, text);
    if (previous != null
        && previous.pendingRole
        && previous.nanos == nanos
        && previous.from.equals(from)
        && !to.isEmpty()) {
      lines.remove(lines.size() - 1);
      line.prefix = previous.shortRole;
    }
    if (previous != null) {
      previous.pendingRole = false;
    }
    for (String target : to) {
      lostReason.ifPresent(reason -> line.lost.put(target, reason));
    }
    lines.add(line);
  }

  /** {@code 134 ms}, or {@code 1.5 ms} for times between whole milliseconds. */
  static String time(long nanos) {
    if (nanos % 1_000_000 == 0) {
      return nanos / 1_000_000 + " ms";
    }
    return String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
  }
}
