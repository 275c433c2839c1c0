package io.jangada.raft.examples.kv.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The timeline page of every scenario is well-formed (parsed as XML), self-contained (nothing
 * loaded from elsewhere) and draws what happened: one lane per node, one arrow per message (a cross
 * for each lost one), a commit mark per commit, a leader band per leader.
 */
class TimelineTest {

  static Stream<String> names() {
    return DemoScenarioTest.names();
  }

  static Document parse(String html) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    factory.setExpandEntityReferences(false);
    return factory.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
  }

  /** The elements named {@code tag} whose class list holds every one of {@code classes}. */
  static List<Element> find(Document doc, String tag, String... classes) {
    List<Element> found = new ArrayList<>();
    NodeList all = doc.getElementsByTagName(tag);
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      Set<String> has = Set.of(e.getAttribute("class").split(" +"));
      if (has.containsAll(List.of(classes))) {
        found.add(e);
      }
    }
    return found;
  }

  @ParameterizedTest
  @MethodSource("names")
  void drawsEveryNodeMessageAndCommit(String name) throws Exception {
    DemoRun run = DemoScenarioTest.play(name);
    String html = Timeline.html(run, Narrator.narrate(run, false));
    Document doc = parse(html);

    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("html");
    List<Element> lanes = find(doc, "g", "lane", "node");
    assertThat(lanes)
        .extracting(e -> e.getAttribute("data-node"))
        .as("one lane per node that ran, removed members included")
        .containsExactlyElementsOf(run.lanes().stream().map(Object::toString).toList());

    long sent = run.events().stream().filter(e -> e instanceof Event.Sent).count();
    Set<Long> delivered = new HashSet<>();
    for (Event e : run.events()) {
      if (e instanceof Event.Delivered d) {
        delivered.add(d.id());
      }
    }
    long dropped =
        run.events().stream()
            .filter(e -> e instanceof Event.Sent s && s.dropReason().isPresent())
            .count();
    long undelivered =
        run.events().stream()
            .filter(
                e ->
                    e instanceof Event.Sent s
                        && s.dropReason().isEmpty()
                        && !delivered.contains(s.id()))
            .count();
    List<Element> arrows = find(doc, "g", "msg");
    arrows.removeIf(e -> e.getAttribute("data-kind").equals("client"));
    assertThat(arrows).hasSize((int) sent);
    assertThat(find(doc, "g", "msg", "lost")).hasSize((int) dropped);
    assertThat(find(doc, "g", "msg", "undelivered")).hasSize((int) undelivered);
    if (name.equals("partition")) {
      assertThat(dropped).as("the partition drops messages").isPositive();
    }
    for (Element arrow : arrows) {
      assertThat(Timeline.KINDS).contains(arrow.getAttribute("data-kind"));
      assertThat(arrow.getElementsByTagName("title").getLength()).isEqualTo(1);
    }

    long commits = run.events().stream().filter(e -> e instanceof Event.Committed).count();
    assertThat(find(doc, "g", "commit")).hasSize((int) commits);
    long leaderships =
        run.events().stream()
            .filter(e -> e instanceof Event.RoleChanged r && r.role() == Role.LEADER)
            .count();
    assertThat(find(doc, "rect", "band", "role-LEADER")).hasSize((int) leaderships);
    long notes = run.events().stream().filter(e -> e instanceof Event.Note).count();
    assertThat(find(doc, "g", "note")).hasSize((int) notes);
    assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("names")
  void needsNothingFromTheNetwork(String name) throws Exception {
    DemoRun run = DemoScenarioTest.play(name);
    Document doc = parse(Timeline.html(run, List.of()));
    assertThat(doc.getElementsByTagName("link").getLength()).isZero();
    assertThat(doc.getElementsByTagName("img").getLength()).isZero();
    NodeList all = doc.getElementsByTagName("*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      assertThat(e.hasAttribute("src")).as("<%s src>", e.getTagName()).isFalse();
      String href = e.getAttribute("href");
      assertThat(href)
          .as("<%s href>", e.getTagName())
          .satisfiesAnyOf(h -> assertThat(h).isEmpty(), h -> assertThat(h).startsWith("#"));
    }
    NodeList scripts = doc.getElementsByTagName("script");
    assertThat(scripts.getLength()).isEqualTo(1);
    assertThat(scripts.item(0).getTextContent()).contains("data-ready").doesNotContain("http");
    NodeList styles = doc.getElementsByTagName("style");
    assertThat(styles.getLength()).isEqualTo(1);
    assertThat(styles.item(0).getTextContent())
        .doesNotContain("url(http")
        .doesNotContain("@import");
  }

  @Test
  void escapesTextSoThePageStaysWellFormed() throws Exception {
    assertThat(Timeline.esc("a<b & \"c\" 'd'>"))
        .isEqualTo("a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    DemoRun run = DemoScenarioTest.play("basic");
    Document doc = parse(Timeline.html(run, List.of("<script>&</script>")));
    assertThat(doc.getElementsByTagName("pre").item(0).getTextContent())
        .contains("<script>&</script>");
  }
}
