package io.jangada.raft.examples.kv.demo;

import static io.jangada.raft.examples.kv.demo.Timeline.esc;
import static io.jangada.raft.examples.kv.demo.Timeline.num;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SVG body of a {@link Timeline}: lanes at fixed heights (clients on top, then the nodes in id
 * order), every element positioned by a {@link TimeScale} and carrying a {@code <title>} that the
 * browser shows on hover. Elements carry classes the page's CSS colours and its script toggles
 * ({@code msg k-AppendEntries req}, {@code band role-LEADER}, {@code commit}, …).
 *
 * <p>Thread: one drawing per instance.
 */
final class TimelineDrawing {

  private static final double LEFT = 70;
  private static final double TOP = 110;
  private static final double LANE_GAP = 90;
  static final double BAND = 8;
  private static final double BADGE_Y = 18;
  private static final double CHAR_WIDTH = 6;

  private final DemoRun run;
  private final List<NodeId> ids;
  private final TimeScale scale;
  private final StringBuilder svg = new StringBuilder();
  private final List<Event.Note> notes = new ArrayList<>();
  private final Map<List<Object>, Double> labelEnds = new HashMap<>();

  TimelineDrawing(DemoRun run) {
    this.run = run;
    this.ids = run.lanes();
    // Heartbeats alone do not stretch the axis: they are hidden at first, and every 30 ms of
    // them would otherwise widen the picture without telling anything.
    List<Long> times = new ArrayList<>();
    for (Event e : run.events()) {
      if (!(e instanceof Event.Sent s && heartbeat(s.message()))
          && !(e instanceof Event.Delivered d && heartbeat(d.message()))) {
        times.add(e.nanos());
      }
    }
    this.scale = new TimeScale(times, LEFT + 20);
  }

  /** The picture's width in pixels. */
  double width() {
    return scale.right() + 120;
  }

  /** The picture's height in pixels. */
  double height() {
    return y(ids.size()) + 70;
  }

  /** The scenario's notes, numbered as their badges (after {@link #draw}). */
  List<Event.Note> notes() {
    return List.copyOf(notes);
  }

  /** The SVG elements, back to front. */
  String draw() {
    drawCuts();
    drawLanes(width());
    drawRoles();
    drawNotes();
    new TimelineArrows(run, this, scale, svg).draw();
    drawNodeMarks();
    drawAxis();
    return svg.toString();
  }

  /** The lane of the clients (index -1) or of node {@code i}. */
  static double y(int lane) {
    return TOP + LANE_GAP * (lane + 1);
  }

  /** The height of {@code id}'s lane. */
  double y(NodeId id) {
    return y(ids.indexOf(id));
  }

  private void drawCuts() {
    Set<String> links = new LinkedHashSet<>();
    long start = 0;
    for (Event event : run.events()) {
      if (event instanceof Event.LinkCut cut) {
        if (links.isEmpty()) {
          start = cut.nanos();
        }
        links.add(cut.from() + "->" + cut.to());
      } else if (event instanceof Event.Healed healed && !links.isEmpty()) {
        cutBand(start, healed.nanos(), links);
        links.clear();
      }
    }
    if (!links.isEmpty()) {
      cutBand(start, run.events().get(run.events().size() - 1).nanos(), links);
    }
  }

  private void cutBand(long from, long to, Set<String> links) {
    double x1 = scale.x(from);
    double x2 = scale.x(to);
    svg.append("<g class=\"cut\"><rect x=\"")
        .append(num(x1))
        .append("\" y=\"")
        .append(num(y(0) - 30))
        .append("\" width=\"")
        .append(num(Math.max(2, x2 - x1)))
        .append("\" height=\"")
        .append(num(y(ids.size() - 1) - y(0) + 60))
        .append("\"/><text x=\"")
        .append(num(x1 + 4))
        .append("\" y=\"")
        .append(num(y(ids.size() - 1) + 26))
        .append("\">network cut</text><title>")
        .append(esc("links cut: " + String.join(", ", links)))
        .append("</title></g>\n");
  }

  private void drawLanes(double width) {
    svg.append("<g class=\"lane client\"><line x1=\"")
        .append(num(LEFT))
        .append("\" y1=\"")
        .append(num(y(-1)))
        .append("\" x2=\"")
        .append(num(width - 20))
        .append("\" y2=\"")
        .append(num(y(-1)))
        .append("\"/><text x=\"10\" y=\"")
        .append(num(y(-1) + 4))
        .append("\">clients</text></g>\n");
    for (NodeId id : ids) {
      svg.append("<g class=\"lane node\" data-node=\"")
          .append(id)
          .append("\"><line x1=\"")
          .append(num(LEFT))
          .append("\" y1=\"")
          .append(num(y(id)))
          .append("\" x2=\"")
          .append(num(width - 20))
          .append("\" y2=\"")
          .append(num(y(id)))
          .append("\"/><text x=\"10\" y=\"")
          .append(num(y(id) + 5))
          .append("\">")
          .append(id)
          .append("</text></g>\n");
    }
  }

  /** Colored bands: what each node was, from when to when; labels where it changed. */
  private void drawRoles() {
    long end = run.events().get(run.events().size() - 1).nanos();
    Map<NodeId, String> role = new HashMap<>();
    Map<NodeId, Long> since = new HashMap<>();
    Map<NodeId, Long> term = new HashMap<>();
    for (NodeId id : ids) {
      role.put(id, "FOLLOWER");
      since.put(id, 0L);
      term.put(id, 0L);
    }
    for (Event event : run.events()) {
      NodeId node = null;
      String next = null;
      long nextTerm = 0;
      if (event instanceof Event.RoleChanged r) {
        node = r.node();
        next = r.role().name();
        nextTerm = r.term();
      } else if (event instanceof Event.Crashed c) {
        node = c.node();
        next = "DOWN";
        nextTerm = term.get(node);
      } else if (event instanceof Event.Restarted r) {
        node = r.node();
        next = "FOLLOWER";
        nextTerm = term.get(node);
      }
      if (node == null) {
        continue;
      }
      band(node, role.get(node), term.get(node), since.get(node), event.nanos());
      roleLabel(node, next, nextTerm, event.nanos());
      role.put(node, next);
      since.put(node, event.nanos());
      term.put(node, nextTerm);
    }
    for (NodeId id : ids) {
      band(id, role.get(id), term.get(id), since.get(id), end);
    }
  }

  private void band(NodeId node, String role, long term, long from, long to) {
    double x1 = scale.x(from);
    double x2 = Math.max(scale.x(to), x1 + 1);
    svg.append("<rect class=\"band role-")
        .append(role)
        .append("\" data-node=\"")
        .append(node)
        .append("\" x=\"")
        .append(num(x1))
        .append("\" y=\"")
        .append(num(y(node) - BAND / 2))
        .append("\" width=\"")
        .append(num(x2 - x1))
        .append("\" height=\"")
        .append(num(BAND))
        .append("\"><title>")
        .append(
            esc(
                node
                    + " "
                    + role.toLowerCase(Locale.ROOT).replace('_', '-')
                    + (role.equals("DOWN") ? "" : " in term " + term)
                    + " from "
                    + Narrator.time(from)
                    + " to "
                    + Narrator.time(to)))
        .append("</title></rect>\n");
  }

  private void roleLabel(NodeId node, String role, long term, long nanos) {
    String text;
    if (role.equals(Role.LEADER.name())) {
      text = "leader t" + term;
    } else if (role.equals(Role.CANDIDATE.name())) {
      text = "candidate t" + term;
    } else if (role.equals(Role.PRE_CANDIDATE.name())) {
      text = "pre-vote";
    } else if (role.equals("DOWN")) {
      text = "crash";
    } else {
      text = "follower t" + term;
    }
    double x = scale.x(nanos) + 2;
    int row = row(node, x, text);
    svg.append("<text class=\"role-label r-")
        .append(role)
        .append("\" data-node=\"")
        .append(node)
        .append("\" x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(y(node) - BAND / 2 - 4 - 11 * row))
        .append("\">")
        .append(esc(text))
        .append("</text>\n");
  }

  /** A numbered badge and a dotted line per note. */
  private void drawNotes() {
    Map<Long, Integer> atTime = new HashMap<>();
    for (Event event : run.events()) {
      if (event instanceof Event.Note note) {
        notes.add(note);
        int stacked = atTime.merge(note.nanos(), 1, Integer::sum) - 1;
        double x = scale.x(note.nanos());
        double bx = x + stacked * 20;
        svg.append("<g class=\"note\"><line x1=\"")
            .append(num(x))
            .append("\" y1=\"")
            .append(num(BADGE_Y + 10))
            .append("\" x2=\"")
            .append(num(x))
            .append("\" y2=\"")
            .append(num(y(ids.size() - 1) + 20))
            .append("\"/><circle cx=\"")
            .append(num(bx))
            .append("\" cy=\"")
            .append(num(BADGE_Y))
            .append("\" r=\"9\"/><text x=\"")
            .append(num(bx))
            .append("\" y=\"")
            .append(num(BADGE_Y + 4))
            .append("\">")
            .append(notes.size())
            .append("</text><title>")
            .append(esc(notes.size() + ". " + note.text()))
            .append("</title></g>\n");
      }
    }
  }

  static boolean heartbeat(Message m) {
    return m instanceof Message.Heartbeat || m instanceof HeartbeatResponse;
  }

  /**
   * The lowest free text row at {@code x} on {@code lane}, reserving it for {@code text}: labels of
   * events close in time would otherwise overlap.
   */
  int row(Object lane, double x, String text) {
    int row = 0;
    while (labelEnds.getOrDefault(List.of(lane, row), -1.0) > x) {
      row++;
    }
    labelEnds.put(List.of(lane, row), x + text.length() * CHAR_WIDTH + 8);
    return row;
  }

  /** Commit diamonds (with what was applied), snapshots and restarts on the node lanes. */
  private void drawNodeMarks() {
    List<Event> events = run.events();
    Set<List<Object>> restored = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      if (event instanceof Event.Committed c) {
        List<String> applied = new ArrayList<>();
        for (int j = i + 1; j < events.size() && events.get(j).nanos() == c.nanos(); j++) {
          if (events.get(j) instanceof Event.Applied a && a.node().equals(c.node())) {
            applied.add(a.index() + " " + a.command() + " = " + a.result());
          }
        }
        double x = scale.x(c.nanos());
        double y = y(c.node());
        svg.append("<g class=\"commit\" data-node=\"")
            .append(c.node())
            .append("\"><path d=\"M")
            .append(num(x))
            .append(',')
            .append(num(y - 6))
            .append(" l6,6 l-6,6 l-6,-6 z\"/><text x=\"")
            .append(num(x))
            .append("\" y=\"")
            .append(num(y + 20))
            .append("\">")
            .append(c.index())
            .append("</text><title>")
            .append(
                esc(
                    c.node()
                        + " commits up to "
                        + c.index()
                        + " at "
                        + Narrator.time(c.nanos())
                        + (applied.isEmpty() ? "" : "; applies " + String.join("; ", applied))))
            .append("</title></g>\n");
      } else if (event instanceof Event.SnapshotTaken s
          && !restored.contains(List.of(s.node(), s.index()))) {
        mark(
            s.node(),
            s.nanos(),
            "snap " + s.index(),
            "snapshot up to " + s.index() + "/" + s.term());
      } else if (event instanceof Event.SnapshotRestored s) {
        restored.add(List.of(s.node(), s.index()));
        mark(
            s.node(),
            s.nanos(),
            "restored " + s.index(),
            "map restored from a snapshot up to " + s.index() + "/" + s.term());
      } else if (event instanceof Event.Restarted r) {
        mark(r.node(), r.nanos(), "restart", "restarts from its durable log");
      }
    }
  }

  private void mark(NodeId node, long nanos, String label, String title) {
    double x = scale.x(nanos) + 2;
    int row = row(List.of(node, "marks"), x, label);
    svg.append("<g class=\"mark\"><text x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(y(node) + 32 + 11 * row))
        .append("\">")
        .append(esc(label))
        .append("</text><title>")
        .append(esc(node + " " + title + " at " + Narrator.time(nanos)))
        .append("</title></g>\n");
  }

  /** The time axis: labels at role changes and notes, and the squeezed gaps. */
  private void drawAxis() {
    double axis = y(ids.size() - 1) + 46;
    svg.append("<g class=\"axis\"><line x1=\"")
        .append(num(LEFT))
        .append("\" y1=\"")
        .append(num(axis))
        .append("\" x2=\"")
        .append(num(scale.right() + 20))
        .append("\" y2=\"")
        .append(num(axis))
        .append("\"/>\n");
    for (TimeScale.Gap gap : scale.gaps()) {
      double mid = (gap.fromX() + gap.toX()) / 2;
      if (gap.toX() - gap.fromX() >= 40) {
        svg.append("<text class=\"gap\" x=\"")
            .append(num(mid))
            .append("\" y=\"")
            .append(num(axis - 4))
            .append("\">+")
            .append(esc(Narrator.time(gap.toNanos() - gap.fromNanos())))
            .append("</text>");
      }
      svg.append("<path class=\"break\" d=\"M")
          .append(num(mid - 3))
          .append(',')
          .append(num(axis + 5))
          .append(" l4,-10 M")
          .append(num(mid + 1))
          .append(',')
          .append(num(axis + 5))
          .append(" l4,-10\"/>\n");
    }
    TreeSet<Long> marked = new TreeSet<>();
    for (Event event : run.events()) {
      if (event instanceof Event.RoleChanged
          || event instanceof Event.Note
          || event instanceof Event.Crashed) {
        marked.add(event.nanos());
      }
    }
    double last = -100;
    for (long nanos : marked) {
      double x = scale.x(nanos);
      if (x - last >= 50) {
        svg.append("<text class=\"tick\" x=\"")
            .append(num(x))
            .append("\" y=\"")
            .append(num(axis + 16))
            .append("\">")
            .append(esc(Narrator.time(nanos)))
            .append("</text>");
        last = x;
      }
    }
    svg.append("\n</g>\n");
  }
}
