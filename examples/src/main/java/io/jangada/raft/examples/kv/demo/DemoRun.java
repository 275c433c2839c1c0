package io.jangada.raft.examples.kv.demo;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The record of one played scenario: every event, each node's final state, the writes clients saw
 * succeed, and the safety checks drawn from them. Immutable.
 */
final class DemoRun {

  /** A node's state at the end. */
  record NodeState(Role role, long term, long commitIndex, Map<String, String> contents) {
    NodeState {
      contents = java.util.Collections.unmodifiableMap(new TreeMap<>(contents));
    }
  }

  /** One safety property and whether the run kept it. */
  record Check(String name, boolean passed, String detail) {}

  private final Scenario scenario;
  private final long seed;
  private final List<Event> events;
  private final Map<NodeId, NodeState> nodes;
  private final Map<String, String> acknowledged;
  private final List<NodeId> lanes;

  private DemoRun(
      Scenario scenario,
      long seed,
      List<Event> events,
      Map<NodeId, NodeState> nodes,
      Map<String, String> acknowledged,
      List<NodeId> lanes) {
    this.lanes = List.copyOf(lanes);
    this.scenario = scenario;
    this.seed = seed;
    this.events = List.copyOf(events);
    this.nodes = new TreeMap<>(nodes);
    this.acknowledged = new TreeMap<>(acknowledged);
  }

  /**
   * Plays {@code scenario} on a fresh cluster seeded with {@code seed} and records the outcome.
   *
   * @throws IllegalStateException if the scenario gets stuck (no leader, no answer) within its
   *     patience of virtual time
   */
  static DemoRun play(Scenario scenario, long seed) {
    try (DemoCluster cluster =
        new DemoCluster(scenario.nodes(), seed, scenario.snapshotThreshold())) {
      scenario.play(cluster);
      Map<NodeId, NodeState> nodes = new TreeMap<>();
      for (NodeId id : cluster.ids()) {
        RaftStatus status = cluster.status(id);
        nodes.put(
            id,
            new NodeState(
                status.role(), status.term(), status.commitIndex(), cluster.contents(id)));
      }
      return new DemoRun(
          scenario,
          seed,
          cluster.trace().events(),
          nodes,
          cluster.acknowledged(),
          cluster.everyNode());
    }
  }

  Scenario scenario() {
    return scenario;
  }

  long seed() {
    return seed;
  }

  /** Everything that happened, oldest first. */
  List<Event> events() {
    return events;
  }

  /** Every node that ran, including those removed from the configuration, in id order. */
  List<NodeId> lanes() {
    return lanes;
  }

  /** Every current member's state at the end, by id. */
  Map<NodeId, NodeState> nodes() {
    return nodes;
  }

  /** The latest value a client saw acknowledged, per key. */
  Map<String, String> acknowledged() {
    return acknowledged;
  }

  /** Which nodes became leader in each term, from the role changes. */
  Map<Long, Set<NodeId>> leadersByTerm() {
    Map<Long, Set<NodeId>> leaders = new TreeMap<>();
    for (Event event : events) {
      if (event instanceof Event.RoleChanged r && r.role() == Role.LEADER) {
        leaders.computeIfAbsent(r.term(), t -> new TreeSet<>()).add(r.node());
      }
    }
    return leaders;
  }

  /** The safety checks: same map everywhere, no acknowledged write lost, one leader per term. */
  List<Check> checks() {
    List<Check> checks = new ArrayList<>();
    Set<Map<String, String>> maps = new java.util.HashSet<>();
    nodes.values().forEach(n -> maps.add(n.contents()));
    checks.add(
        new Check(
            "every node holds the same map",
            maps.size() == 1,
            maps.size() == 1
                ? nodes.size() + " nodes, " + maps.iterator().next().size() + " keys"
                : maps.size() + " different maps"));
    List<String> lost = new ArrayList<>();
    acknowledged.forEach(
        (key, value) ->
            nodes.forEach(
                (id, node) -> {
                  if (!value.equals(node.contents().get(key))) {
                    lost.add(key + "=" + value + " on " + id);
                  }
                }));
    checks.add(
        new Check(
            "no acknowledged write lost",
            lost.isEmpty(),
            lost.isEmpty()
                ? acknowledged.size() + " of " + acknowledged.size() + " on every node"
                : "missing " + String.join(", ", lost)));
    Map<Long, Set<NodeId>> leaders = leadersByTerm();
    List<String> terms = new ArrayList<>();
    boolean single = true;
    for (Map.Entry<Long, Set<NodeId>> term : leaders.entrySet()) {
      single &= term.getValue().size() == 1;
      terms.add(
          "t"
              + term.getKey()
              + " "
              + String.join("+", term.getValue().stream().map(NodeId::toString).toList()));
    }
    checks.add(
        new Check(
            "at most one leader per term", single && !leaders.isEmpty(), String.join(", ", terms)));
    return checks;
  }
}
