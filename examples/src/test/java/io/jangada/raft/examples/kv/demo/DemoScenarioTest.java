package io.jangada.raft.examples.kv.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario with seed 1: its narration equals the golden file in {@code
 * src/test/resources/demo/} ({@code -Dupdate.golden=true} rewrites them: review the diff, a golden
 * file is an assertion), and the safety properties hold, checked here from the raw events rather
 * than from the demo's own checks.
 */
class DemoScenarioTest {

  static final long SEED = 1;
  private static final Path GOLDEN = Path.of("src", "test", "resources", "demo");

  /** The most lines a default narration may take: one terminal screen. */
  static final int SCREEN = 50;

  static Stream<String> names() {
    return Scenarios.all().stream().map(Scenario::name);
  }

  static DemoRun play(String name) {
    return DemoRun.play(Scenarios.named(name).orElseThrow(), SEED);
  }

  @ParameterizedTest
  @MethodSource("names")
  void narrationMatchesGoldenFile(String name) throws IOException {
    DemoRun run = play(name);
    List<String> lines = Narrator.narrate(run, false);
    Golden.check(GOLDEN.resolve(name + ".txt"), lines);
    assertThat(lines)
        .as("the default narration fits on one screen")
        .hasSizeLessThanOrEqualTo(SCREEN);
  }

  @ParameterizedTest
  @MethodSource("names")
  void verboseNarrationShowsEveryMessage(String name) throws IOException {
    DemoRun run = play(name);
    List<String> verbose = Narrator.narrate(run, true);
    long sent = run.events().stream().filter(e -> e instanceof Event.Sent).count();
    // Lines merge copies sent at once to several nodes (or alike answers from several nodes), so
    // count senders times addressees on the message lines.
    Pattern message = Pattern.compile("^ *[0-9.]+ ms  (n[0-9n,]+) -> (n[0-9n,]+) .*");
    long messageLines = 0;
    long copies = 0;
    for (String line : verbose) {
      Matcher m = message.matcher(line);
      if (m.matches()) {
        messageLines++;
        copies += (long) m.group(1).split(",").length * m.group(2).split(",").length;
      }
    }
    assertThat(messageLines).isPositive();
    assertThat(copies).as("every sent message is narrated").isEqualTo(sent);
    if (name.equals("basic")) {
      Golden.check(GOLDEN.resolve("basic-verbose.txt"), verbose);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void safetyHoldsInTheEvents(String name) {
    DemoRun run = play(name);
    assertSafe(run);
  }

  /** Same map on every node, no acknowledged write lost, one leader per term (two ways). */
  static void assertSafe(DemoRun run) {
    String seed = "scenario " + run.scenario().name() + " seed " + run.seed();
    Set<Map<String, String>> maps = new HashSet<>();
    run.nodes().values().forEach(n -> maps.add(n.contents()));
    assertThat(maps).as("%s: every node holds the same map", seed).hasSize(1);
    Map<String, String> map = maps.iterator().next();
    assertThat(map).as("%s: the map", seed).isNotEmpty();
    assertThat(map)
        .as("%s: no acknowledged write lost", seed)
        .containsAllEntriesOf(run.acknowledged());
    assertThat(run.acknowledged()).as("%s: some write was acknowledged", seed).isNotEmpty();

    Map<Long, Set<NodeId>> byRole = new TreeMap<>();
    Map<Long, Set<NodeId>> bySender = new TreeMap<>();
    for (Event event : run.events()) {
      if (event instanceof Event.RoleChanged r && r.role() == Role.LEADER) {
        byRole.computeIfAbsent(r.term(), t -> new TreeSet<>()).add(r.node());
      }
      if (event instanceof Event.Sent s && leaderOnly(s.message())) {
        bySender.computeIfAbsent(s.message().term(), t -> new TreeSet<>()).add(s.message().from());
      }
    }
    assertThat(byRole).as("%s: some node led", seed).isNotEmpty();
    byRole.forEach(
        (term, leaders) -> assertThat(leaders).as("%s: leaders of term %d", seed, term).hasSize(1));
    bySender.forEach(
        (term, senders) ->
            assertThat(senders)
                .as("%s: senders of leader messages in term %d", seed, term)
                .isEqualTo(byRole.get(term)));
    assertThat(run.checks()).allSatisfy(c -> assertThat(c.passed()).as(seed + ": " + c).isTrue());
  }

  /** Messages only a leader sends. */
  private static boolean leaderOnly(Message m) {
    return m instanceof Message.AppendRequest
        || m instanceof Message.Heartbeat
        || m instanceof Message.InstallSnapshot
        || m instanceof Message.TimeoutNow;
  }

  @Test
  void basicPutsTheValueOnEveryNode() {
    DemoRun run = play("basic");
    run.nodes()
        .values()
        .forEach(n -> assertThat(n.contents()).containsExactly(Map.entry("greeting", "hello")));
    assertThat(run.leadersByTerm()).hasSize(1);
  }

  @Test
  void laggingFollowerCatchesUpFromTheLogThenBySnapshot() {
    DemoRun run = play("lagging-follower");
    NodeId lagger = null;
    for (Event e : run.events()) {
      if (e instanceof Event.LinkCut cut) {
        lagger = cut.to();
        break;
      }
    }
    assertThat(lagger).isNotNull();
    List<Message> received = new ArrayList<>();
    for (Event e : run.events()) {
      if (e instanceof Event.Delivered d && d.message().to().equals(lagger)) {
        received.add(d.message());
      }
    }
    int logCatchUp = -1;
    int snapshot = -1;
    for (int i = 0; i < received.size(); i++) {
      if (logCatchUp < 0
          && received.get(i) instanceof Message.AppendRequest a
          && a.entries().stream().anyMatch(entry -> entry.index() == 2)) {
        logCatchUp = i;
      }
      if (snapshot < 0 && received.get(i) instanceof Message.InstallSnapshot) {
        snapshot = i;
      }
    }
    assertThat(logCatchUp).as("the missed entries arrive in an AppendEntries").isNotNegative();
    assertThat(snapshot).as("then a snapshot arrives").isGreaterThan(logCatchUp);
    NodeId node = lagger;
    assertThat(run.events())
        .anyMatch(e -> e instanceof Event.SnapshotRestored r && r.node().equals(node));
    assertThat(run.nodes().get(lagger).contents()).hasSize(6);
  }

  @Test
  void dropLeaderElectsAnotherAndKeepsTheWrite() {
    DemoRun run = play("drop-leader");
    NodeId crashed =
        run.events().stream()
            .filter(e -> e instanceof Event.Crashed)
            .map(e -> ((Event.Crashed) e).node())
            .findFirst()
            .orElseThrow();
    Map<Long, Set<NodeId>> leaders = run.leadersByTerm();
    assertThat(leaders).hasSize(2);
    long last = ((TreeMap<Long, Set<NodeId>>) leaders).lastKey();
    assertThat(leaders.get(last)).doesNotContain(crashed);
    assertThat(run.acknowledged()).containsEntry("a", "1").containsEntry("b", "2");
    assertThat(run.nodes().get(crashed).role()).isEqualTo(Role.FOLLOWER);
  }

  @Test
  void partitionedLeaderCannotCommitAndDoesNotDisruptOnReturn() {
    DemoRun run = play("partition");
    Event.Answered failed =
        run.events().stream()
            .filter(e -> e instanceof Event.Answered a && !a.ok())
            .map(e -> (Event.Answered) e)
            .findFirst()
            .orElseThrow();
    NodeId old = failed.node();
    assertThat(failed.outcome()).isEqualTo("IndeterminateResultException");
    run.nodes()
        .values()
        .forEach(n -> assertThat(n.contents()).containsExactly(Map.entry("x", "2")));
    // PreVote: the cut-off node never campaigned in a real election, so no term beyond the
    // majority's new leader ever appeared, and that leader still leads at the end.
    Map<Long, Set<NodeId>> leaders = run.leadersByTerm();
    long newest = ((TreeMap<Long, Set<NodeId>>) leaders).lastKey();
    NodeId fresh = leaders.get(newest).iterator().next();
    assertThat(fresh).isNotEqualTo(old);
    Map<NodeId, Long> maxTerm = new HashMap<>();
    for (Event e : run.events()) {
      if (e instanceof Event.Sent s) {
        maxTerm.merge(s.message().from(), s.message().term(), Math::max);
      }
    }
    assertThat(maxTerm.get(old)).isLessThanOrEqualTo(newest);
    boolean cut = false;
    for (Event e : run.events()) {
      cut |= e instanceof Event.LinkCut;
      if (cut && e instanceof Event.Sent s && s.message().from().equals(old)) {
        assertThat(s.message())
            .as("after the split, %s only asks for pre-votes", old)
            .matches(m -> !(m instanceof Message.VoteRequest v) || v.preVote());
      }
    }
    assertThat(cut).isTrue();
    assertThat(run.nodes().get(fresh).role()).isEqualTo(Role.LEADER);
    assertThat(run.nodes().get(fresh).term()).isEqualTo(newest);
  }

  @Test
  void transferHandsLeadershipToTheChosenFollower() {
    DemoRun run = play("transfer");
    Message.TimeoutNow timeoutNow =
        run.events().stream()
            .filter(e -> e instanceof Event.Sent s && s.message() instanceof Message.TimeoutNow)
            .map(e -> (Message.TimeoutNow) ((Event.Sent) e).message())
            .findFirst()
            .orElseThrow();
    Map<Long, Set<NodeId>> leaders = run.leadersByTerm();
    assertThat(leaders.get(timeoutNow.term())).containsExactly(timeoutNow.from());
    assertThat(leaders.get(timeoutNow.term() + 1)).containsExactly(timeoutNow.to());
    assertThat(run.acknowledged()).containsEntry("a", "1").containsEntry("b", "2");
  }

  @Test
  void membershipAddsALearnerThatCatchesUpThenVotesAndRemovesAVoter() {
    DemoRun run = play("membership");
    NodeId joiner = NodeId.of("n4");
    List<Role> joinerRoles = new ArrayList<>();
    int learnerAt = -1;
    int caughtUpAt = -1;
    List<Event> events = run.events();
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (e instanceof Event.RoleChanged r && r.node().equals(joiner)) {
        joinerRoles.add(r.role());
        if (r.role() == Role.LEARNER && learnerAt < 0) {
          learnerAt = i;
        }
      }
      if (caughtUpAt < 0
          && e instanceof Event.Applied a
          && a.node().equals(joiner)
          && a.command().equals("PUT a=1")) {
        caughtUpAt = i;
      }
    }
    assertThat(joinerRoles).as("n4 is a learner first, then a voter").startsWith(Role.LEARNER);
    assertThat(joinerRoles).contains(Role.FOLLOWER);
    assertThat(joinerRoles).doesNotContain(Role.CANDIDATE, Role.PRE_CANDIDATE);
    assertThat(caughtUpAt).as("n4 applies the write made before it joined").isPositive();
    assertThat(learnerAt).isNotNegative();
    assertThat(run.nodes()).as("one original voter is gone").hasSize(3).containsKey(joiner);
    assertThat(run.lanes()).hasSize(4);
    run.nodes()
        .values()
        .forEach(
            n ->
                assertThat(n.contents()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2")));
    assertThat(run.acknowledged()).containsEntry("a", "1").containsEntry("b", "2");
  }
}
