package io.jangada.raft.examples.kv.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link DemoRun} as a self-contained HTML page: one lane per node (and one for the
 * clients), time flowing left to right, an arrow per message from its sending to its delivery (a
 * cross where the network lost it), lanes colored by role, commits as diamonds, crashes, network
 * cuts and the scenario's notes marked. The page needs no network: the CSS and the small script
 * (legend toggles) are inlined, the picture is inline SVG. It is also well-formed XML, so tests can
 * parse it.
 *
 * <p>Thread-safe (stateless).
 */
final class Timeline {

  /** Every message kind, in legend order. */
  static final List<String> KINDS =
      List.of(
          "PreVote",
          "RequestVote",
          "AppendEntries",
          "Heartbeat",
          "InstallSnapshot",
          "TimeoutNow",
          "ReadIndex");

  private final DemoRun run;

  private Timeline(DemoRun run) {
    this.run = run;
  }

  /** The page for {@code run}, with {@code narration} (the narrated lines) printed below it. */
  static String html(DemoRun run, List<String> narration) {
    return new Timeline(run).page(narration);
  }

  private String page(List<String> narration) {
    TimelineDrawing drawing = new TimelineDrawing(run);
    String svg = drawing.draw();
    double width = drawing.width();
    double height = drawing.height();
    List<Event.Note> notes = drawing.notes();
    StringBuilder page = new StringBuilder();
    page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<title>Jangada demo: ")
        .append(esc(run.scenario().name()))
        .append("</title>\n<style>\n")
        .append(resource("timeline.css"))
        .append("</style>\n</head>\n<body data-ready=\"no\">\n<h1>kv demo ")
        .append(esc(run.scenario().name()))
        .append(" <small>seed ")
        .append(run.seed())
        .append("</small></h1>\n<p>")
        .append(esc(run.scenario().summary()))
        .append(
            ". Time flows to the right; quiet stretches are squeezed (marked on the axis)."
                + " Hover over anything for details.</p>\n");
    legend(page);
    page.append("<div class=\"scroll\">\n<svg id=\"timeline\" class=\"hide-Heartbeat\" width=\"")
        .append(num(width))
        .append("\" height=\"")
        .append(num(height))
        .append("\" viewBox=\"0 0 ")
        .append(num(width))
        .append(' ')
        .append(num(height))
        .append("\" role=\"img\">\n<defs>\n");
    for (String kind : KINDS) {
      page.append("<marker id=\"arrow-")
          .append(kind)
          .append("\" class=\"head k-")
          .append(kind)
          .append(
              "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\""
                  + " markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker>\n");
    }
    page.append(
            "<marker id=\"arrow-client\" class=\"head k-client\" viewBox=\"0 0 10 10\" refX=\"9\""
                + " refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                + "<path d=\"M0,0 L10,5 L0,10 z\"/></marker>\n")
        .append(
            "<pattern id=\"down\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                + " patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\""
                + " class=\"down-stripe\"/></pattern>\n")
        .append("</defs>\n")
        .append(svg)
        .append("</svg>\n</div>\n<p id=\"summary\"></p>\n");
    if (!notes.isEmpty()) {
      page.append("<h2>Story</h2>\n<ol class=\"notes\">\n");
      for (Event.Note note : notes) {
        page.append("<li><b>")
            .append(esc(Narrator.time(note.nanos())))
            .append("</b> ")
            .append(esc(note.text()))
            .append("</li>\n");
      }
      page.append("</ol>\n");
    }
    page.append("<h2>Narration</h2>\n<pre>");
    narration.forEach(line -> page.append(esc(line)).append('\n'));
    page.append("</pre>\n<script>\n//<![CDATA[\n")
        .append(resource("timeline.js"))
        .append("//]]>\n</script>\n</body>\n</html>\n");
    return page.toString();
  }

  private void legend(StringBuilder page) {
    page.append("<div class=\"legend\">Messages: ");
    for (String kind : KINDS) {
      page.append("<label><input type=\"checkbox\" data-kind=\"")
          .append(kind)
          .append('"')
          .append(kind.equals("Heartbeat") ? "" : " checked=\"checked\"")
          .append("/><span class=\"swatch k-")
          .append(kind)
          .append("\"></span>")
          .append(kind)
          .append("</label> ");
    }
    page.append(
        "<span class=\"hint\">solid: request, dashed: response, &#215;: lost</span><br/>Roles: ");
    for (String role : List.of("FOLLOWER", "PRE_CANDIDATE", "CANDIDATE", "LEADER")) {
      page.append("<span class=\"swatch role-")
          .append(role)
          .append("\"></span>")
          .append(role.toLowerCase(Locale.ROOT).replace('_', '-'))
          .append(' ');
    }
    page.append(
        "<span class=\"swatch down-key\"></span>down &#160; &#9670; commit &#160;"
            + " <span class=\"swatch cut-key\"></span>network cut</div>\n");
  }

  static String num(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  /** {@code text} with the five XML special characters escaped. */
  static String esc(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String resource(String name) {
    try (InputStream in = Timeline.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " next to " + Timeline.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
