package io.jangada.raft.examples.kv.demo;

import static io.jangada.raft.examples.kv.demo.Timeline.esc;
import static io.jangada.raft.examples.kv.demo.Timeline.num;
import static io.jangada.raft.examples.kv.demo.TimelineDrawing.BAND;

import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.Message.ReadIndexResponse;
import io.jangada.raft.model.Message.VoteResponse;
import io.jangada.raft.model.NodeId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arrows of a {@link Timeline}: one per message from where it was sent to where it was
 * delivered (to a cross where the network dropped it, a short dotted stub where it was still in
 * flight), and the clients' requests and answers between the client lane and the nodes. Lanes,
 * scale and label rows come from the {@link TimelineDrawing} it draws into.
 *
 * <p>Thread: one drawing per instance.
 */
final class TimelineArrows {

  private static final double LOST_LENGTH = 30;

  private final DemoRun run;
  private final TimelineDrawing drawing;
  private final TimeScale scale;
  private final StringBuilder svg;

  TimelineArrows(DemoRun run, TimelineDrawing drawing, TimeScale scale, StringBuilder svg) {
    this.run = run;
    this.drawing = drawing;
    this.scale = scale;
    this.svg = svg;
  }

  /** Every message, from its sending to its delivery, and every client request and answer. */
  void draw() {
    drawMessages();
    drawClients();
  }

  private void drawMessages() {
    Map<Long, Long> delivered = new HashMap<>();
    for (Event event : run.events()) {
      if (event instanceof Event.Delivered d) {
        delivered.put(d.id(), d.nanos());
      }
    }
    for (Event event : run.events()) {
      if (event instanceof Event.Sent s) {
        arrow(s, delivered.get(s.id()));
      }
    }
  }

  private void arrow(Event.Sent s, Long deliveredAt) {
    Message m = s.message();
    String kind = MessageText.kind(m);
    double x1 = scale.x(s.nanos());
    double y1 = drawing.y(m.from());
    double y2 = drawing.y(m.to());
    double dir = Math.signum(y2 - y1);
    y1 += dir * BAND / 2;
    y2 -= dir * BAND / 2;
    boolean lost = deliveredAt == null;
    boolean dropped = s.dropReason().isPresent();
    double x2 = lost ? x1 + 18 : scale.x(deliveredAt);
    if (lost) {
      y2 = y1 + Math.signum(y2 - y1) * Math.min(LOST_LENGTH, Math.abs(y2 - y1) * 0.4);
    }
    String what =
        m.from()
            + " -> "
            + m.to()
            + ": "
            + MessageText.describe(m)
            + " | sent "
            + Narrator.time(s.nanos())
            + (lost
                ? s.dropReason()
                    .map(r -> ", lost: " + r)
                    .orElse(
                        ", not delivered: in flight when its addressee stopped or the run ended")
                : ", delivered " + Narrator.time(deliveredAt));
    svg.append("<g class=\"msg k-")
        .append(kind)
        .append(response(m) ? " resp" : " req")
        .append(dropped ? " lost" : lost ? " undelivered" : "")
        .append("\" data-kind=\"")
        .append(kind)
        .append("\"><line x1=\"")
        .append(num(x1))
        .append("\" y1=\"")
        .append(num(y1))
        .append("\" x2=\"")
        .append(num(x2))
        .append("\" y2=\"")
        .append(num(y2))
        .append('"')
        .append(lost ? "" : " marker-end=\"url(#arrow-" + kind + ")\"")
        .append("/>");
    if (dropped) {
      svg.append("<text class=\"cross\" x=\"")
          .append(num(x2))
          .append("\" y=\"")
          .append(num(y2 + 4))
          .append("\">&#215;</text>");
    }
    svg.append("<title>").append(esc(what)).append("</title></g>\n");
  }

  private static boolean response(Message m) {
    return m instanceof VoteResponse
        || m instanceof AppendResponse
        || m instanceof HeartbeatResponse
        || m instanceof InstallSnapshotResponse
        || m instanceof ReadIndexResponse;
  }

  /** Writes from clients to nodes and the answers back, labelled on the client lane. */
  private void drawClients() {
    List<Event> events = run.events();
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      if (event instanceof Event.Proposed p) {
        // Writes sent together share one label: the first and how many more.
        int more = 0;
        for (int j = i + 1; j < events.size() && events.get(j).nanos() == p.nanos(); j++) {
          if (events.get(j) instanceof Event.Proposed q && q.node().equals(p.node())) {
            more++;
          }
        }
        String label =
            sameBatchAsPrevious(events, i) ? "" : p.command() + (more > 0 ? " +" + more : "");
        clientArrow(p.nanos(), p.node(), true, label, "client -> " + p.node() + ": " + p.command());
      } else if (event instanceof Event.Answered a) {
        long last = a.index();
        for (int j = i + 1; j < events.size() && events.get(j).nanos() == a.nanos(); j++) {
          if (events.get(j) instanceof Event.Answered b
              && b.node().equals(a.node())
              && b.ok() == a.ok()) {
            last = b.index();
          }
        }
        String text =
            a.ok()
                ? a.outcome() + " @" + a.index() + (last > a.index() ? ".." + last : "")
                : "failed";
        String title =
            a.node()
                + " -> client: "
                + (a.ok()
                    ? a.outcome() + " (index " + a.index() + ", term " + a.term() + ")"
                    : a.outcome());
        clientArrow(a.nanos(), a.node(), false, sameBatchAsPrevious(events, i) ? "" : text, title);
      }
    }
  }

  /** Whether an earlier event at the same time, of the same kind and node, already has a label. */
  private static boolean sameBatchAsPrevious(List<Event> events, int i) {
    Event event = events.get(i);
    for (int j = i - 1; j >= 0 && events.get(j).nanos() == event.nanos(); j--) {
      Event other = events.get(j);
      if (event instanceof Event.Proposed p
          && other instanceof Event.Proposed q
          && q.node().equals(p.node())) {
        return true;
      }
      if (event instanceof Event.Answered a
          && other instanceof Event.Answered b
          && b.node().equals(a.node())
          && b.ok() == a.ok()) {
        return true;
      }
    }
    return false;
  }

  private void clientArrow(long nanos, NodeId node, boolean down, String label, String title) {
    double x = scale.x(nanos);
    double top = TimelineDrawing.y(-1) + 3;
    double bottom = drawing.y(node) - BAND / 2 - 1;
    svg.append("<g class=\"msg k-client ")
        .append(down ? "req" : "resp")
        .append("\" data-kind=\"client\"><line x1=\"")
        .append(num(x))
        .append("\" y1=\"")
        .append(num(down ? top : bottom))
        .append("\" x2=\"")
        .append(num(x))
        .append("\" y2=\"")
        .append(num(down ? bottom : top))
        .append("\" marker-end=\"url(#arrow-client)\"/>");
    if (!label.isEmpty()) {
      int row = drawing.row("clients", x + 3, label);
      svg.append("<text class=\"client-label\" x=\"")
          .append(num(x + 3))
          .append("\" y=\"")
          .append(num(TimelineDrawing.y(-1) - 6 - 11 * row))
          .append("\">")
          .append(esc(label))
          .append("</text>");
    }
    svg.append("<title>").append(esc(title)).append("</title></g>\n");
  }
}
