package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Executes the commands of a golden interaction script (see {@link InteractionTest}) against a
 * cluster of {@link RaftCore}s and returns their output as stable text. Each node is a {@link
 * SimNode} whose Readies are handled whole (persist, sync, send, apply, advance); messages wait in
 * one FIFO queue until {@code deliver} or {@code stabilize}. Not thread-safe.
 *
 * <p>Commands:
 *
 * <ul>
 *   <li>{@code add-nodes N [election=10] [heartbeat=1] [prevote=false] [checkquorum=false]
 *       [inflight=256] [maxentries=4096] [seed=1] [first=1]}: voters n1..nN; {@code first > 1}
 *       starts every log after a compacted prefix ending at {@code first-1} in term 1
 *   <li>{@code campaign n1}, {@code transfer n1 n2}, {@code read-index n1 id}: local inputs
 *   <li>{@code propose n1 v1 [v2 …]}: one proposal per value, without handling Readies in between
 *   <li>{@code tick n1 [count]}, {@code tick-all [count]}: ticks only, Readies are not handled
 *   <li>{@code ready-begin n1}: n1 takes its next Ready and hands it to storage (appended, not
 *       synced), also while earlier ones are in flight; the messages that may leave before the sync
 *       are queued. {@code ready-finish n1}: the oldest Ready n1 began is synced and finished
 *       (advanced); its other messages are queued. {@code deliver-only}: deliver the queued
 *       messages once without handling any Ready
 *   <li>{@code deliver}: handle every node's Readies, then deliver the queued messages once
 *   <li>{@code stabilize}: {@code deliver} until no node has work and the queue is empty
 *   <li>{@code drop n1->n2} (one-way cut), {@code partition n1 | n2 n3}, {@code heal}
 *   <li>{@code restart n2}: crash (unsynced writes are lost) and reopen from durable state
 *   <li>{@code status n1}, {@code log n1}
 *   <li>{@code add-joining n4}: a new node with an empty log and no configuration (it waits to be
 *       added), using the cluster's settings
 *   <li>{@code change n1 voters=n1,n2 [learners=n3] [expect=5]}: proposes that target configuration
 *       on n1 (with a compare-and-set on the configuration index if {@code expect} is given)
 *   <li>{@code add-learner n1 n4}, {@code promote n1 n4}, {@code remove n1 n3}: propose the
 *       configuration in force on n1 with that one change
 *   <li>{@code config n1}: the configuration in force on n1, its index and whether it is committed
 * </ul>
 */
final class InteractionRunner {

  private final TreeMap<NodeId, SimNode> nodes = new TreeMap<>();
  private final List<Message> queue = new ArrayList<>();
  private final TreeSet<String> cut = new TreeSet<>();
  private SplittableRandom random = new SplittableRandom(1);
  private RaftConfig config;

  /** Runs one command line; returns its output lines. */
  List<String> run(String line) {
    String[] words = line.trim().split("\\s+");
    String[] args = Arrays.copyOfRange(words, 1, words.length);
    List<String> out = new ArrayList<>();
    switch (words[0]) {
      case "add-nodes" -> addNodes(args, out);
      case "campaign" -> core(args[0]).campaign();
      case "transfer" -> core(args[0]).transferLeadership(NodeId.of(args[1]));
      case "read-index" -> core(args[0]).readIndex(Long.parseLong(args[1]));
      case "propose" -> {
        for (int i = 1; i < args.length; i++) {
          out.add(describe(core(args[0]).propose(Bytes.ofUtf8(args[i]))));
        }
      }
      case "tick" -> tick(node(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 1);
      case "tick-all" -> {
        for (SimNode n : nodes.values()) {
          tick(n, args.length > 0 ? Integer.parseInt(args[0]) : 1);
        }
      }
      case "deliver" -> deliverOnce(out);
      case "deliver-only" -> deliverQueue(out);
      case "ready-begin" -> readyBegin(node(args[0]), out);
      case "ready-finish" -> readyFinish(node(args[0]), out);
      case "stabilize" -> {
        for (int round = 0; deliverOnce(out); round++) {
          if (round > 1000) {
            throw new IllegalStateException("stabilize did not settle after 1000 rounds");
          }
        }
      }
      case "drop" -> cut.add(args[0]);
      case "partition" -> partition(args);
      case "heal" -> cut.clear();
      case "restart" -> restart(node(args[0]), out);
      case "status" -> status(node(args[0]), out);
      case "log" -> log(node(args[0]), out);
      case "add-joining" -> addJoining(args, out);
      case "change" -> change(args, out);
      case "add-learner" -> {
        Membership m = core(args[0]).status().membership();
        out.add(
            describe(core(args[0]).proposeMembership(m.withLearner(NodeId.of(args[1]), none()))));
      }
      case "promote" -> {
        Membership m = core(args[0]).status().membership();
        out.add(describe(core(args[0]).proposeMembership(m.withPromoted(NodeId.of(args[1])))));
      }
      case "remove" -> {
        Membership m = core(args[0]).status().membership();
        out.add(describe(core(args[0]).proposeMembership(m.without(NodeId.of(args[1])))));
      }
      case "config" -> {
        RaftStatus st = core(args[0]).status();
        out.add(
            args[0]
                + " config "
                + st.membership()
                + " index="
                + st.membershipIndex()
                + (st.membershipIndex() <= st.commitIndex() ? " committed" : " uncommitted"));
      }
      default -> throw new IllegalArgumentException("unknown command: " + line);
    }
    if (out.isEmpty()) {
      out.add(roles());
    }
    return out;
  }

  private void addNodes(String[] args, List<String> out) {
    Map<String, String> opt = new TreeMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      opt.put(kv[0], kv[1]);
    }
    config =
        RaftConfig.builder()
            .electionTicks(Integer.parseInt(opt.getOrDefault("election", "10")))
            .heartbeatTicks(Integer.parseInt(opt.getOrDefault("heartbeat", "1")))
            .preVote(Boolean.parseBoolean(opt.getOrDefault("prevote", "false")))
            .checkQuorum(Boolean.parseBoolean(opt.getOrDefault("checkquorum", "false")))
            .maxInflightAppends(Integer.parseInt(opt.getOrDefault("inflight", "256")))
            .maxAppendEntries(Integer.parseInt(opt.getOrDefault("maxentries", "4096")))
            .maxPromotionLag(Long.parseLong(opt.getOrDefault("promotionlag", "1000")))
            .build();
    random = new SplittableRandom(Long.parseLong(opt.getOrDefault("seed", "1")));
    long first = Long.parseLong(opt.getOrDefault("first", "1"));
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= Integer.parseInt(args[0]); i++) {
      ids.add(NodeId.of("n" + i));
    }
    Membership membership = Membership.ofVoters(ids);
    for (NodeId id : ids) {
      SimNode node =
          new SimNode(id, config, membership, new SimNode.Observer() {}, SimNode.Bug.NONE);
      if (first > 1) {
        node.compactedStart(first - 1, 1);
      }
      node.open(random.split());
      nodes.put(id, node);
    }
    out.add(
        membership
            + " election="
            + config.electionTicks()
            + " heartbeat="
            + config.heartbeatTicks()
            + " prevote="
            + config.preVote()
            + " checkquorum="
            + config.checkQuorum()
            + " inflight="
            + config.maxInflightAppends()
            + " maxentries="
            + config.maxAppendEntries());
  }

  private static java.util.Optional<String> none() {
    return java.util.Optional.empty();
  }

  private void addJoining(String[] args, List<String> out) {
    NodeId id = NodeId.of(args[0]);
    SimNode node =
        new SimNode(id, config, Membership.empty(), new SimNode.Observer() {}, SimNode.Bug.NONE);
    node.open(random.split());
    nodes.put(id, node);
    out.add(id + " joins with an empty log and no configuration");
  }

  private void change(String[] args, List<String> out) {
    Membership.Builder b = Membership.builder();
    long expect = RaftCore.ANY_CONFIGURATION;
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      switch (kv[0]) {
        case "voters" -> Arrays.stream(kv[1].split(",")).forEach(v -> b.voter(NodeId.of(v)));
        case "learners" -> Arrays.stream(kv[1].split(",")).forEach(v -> b.learner(NodeId.of(v)));
        case "expect" -> expect = Long.parseLong(kv[1]);
        default -> throw new IllegalArgumentException("unknown change option " + args[i]);
      }
    }
    out.add(describe(core(args[0]).proposeMembership(b.build(), expect)));
  }

  private static String describe(MembershipChange r) {
    if (r instanceof MembershipChange.Accepted a) {
      return "accepted "
          + a.index()
          + "/"
          + a.term()
          + (a.joint() ? " joint " : " ")
          + a.configuration();
    } else if (r instanceof MembershipChange.NotLeader n) {
      return "not leader, hint " + n.leaderHint().map(Object::toString).orElse("-");
    } else if (r instanceof MembershipChange.Refused f) {
      return "refused " + f.reason() + ": " + f.message();
    } else {
      throw new AssertionError(r);
    }
  }

  private void tick(SimNode node, int count) {
    for (int i = 0; i < count; i++) {
      node.core().tick();
      node.core().assertInvariants();
    }
  }

  /**
   * Handles all Readies (first finishing those begun by {@code ready-begin}), then delivers the
   * queue once; false if there was nothing to do.
   */
  private boolean deliverOnce(List<String> out) {
    boolean worked = false;
    for (SimNode node : nodes.values()) {
      while (node.isBusy()) {
        worked = true;
        finish(node, out);
      }
      while (node.core().hasReady()) {
        worked = true;
        int reads = node.reads.size();
        int applied = node.applied.size();
        queue.addAll(node.handleReady());
        node.core().assertInvariants();
        reportApplied(node, applied, reads, out);
      }
    }
    return deliverQueue(out) || worked;
  }

  /**
   * Takes the next Ready of {@code node} and hands it to storage (appended, not synced) while
   * earlier ones may still be in flight; the messages that may leave before the sync are queued.
   */
  private void readyBegin(SimNode node, List<String> out) {
    if (!node.core().hasReady()) {
      out.add(node.id + " has nothing ready");
      return;
    }
    List<Message> early = node.beginReady();
    Ready r = node.newestBegun();
    queue.addAll(early);
    out.add(
        node.id
            + " ready "
            + r.id()
            + " begun: "
            + r.hardState()
                .map(
                    h ->
                        "term="
                            + h.term()
                            + " vote="
                            + h.votedFor().map(Object::toString).orElse("-")
                            + " ")
                .orElse("")
            + "entries="
            + Describe.entries(r.entries())
            + ", "
            + early.size()
            + " message(s) leave now, "
            + (r.messages().size() - early.size())
            + " wait for the sync; "
            + node.core().readysOutstanding()
            + " in flight");
  }

  /** Syncs and finishes the oldest Ready {@code node} began; queues its waiting messages. */
  private void readyFinish(SimNode node, List<String> out) {
    if (!node.isBusy()) {
      out.add(node.id + " has no Ready in flight");
      return;
    }
    finish(node, out);
  }

  private void finish(SimNode node, List<String> out) {
    int reads = node.reads.size();
    int applied = node.applied.size();
    long id = node.oldestBegun().id();
    List<Message> late = node.finishReady();
    node.core().assertInvariants();
    queue.addAll(late);
    out.add(
        node.id
            + " ready "
            + id
            + " durable, "
            + late.size()
            + " message(s) leave; commit="
            + node.core().status().commitIndex());
    reportApplied(node, applied, reads, out);
  }

  private void reportApplied(SimNode node, int applied, int reads, List<String> out) {
    if (node.applied.size() > applied) {
      out.add(
          node.id
              + " applies "
              + Describe.entries(node.applied.subList(applied, node.applied.size())));
    }
    for (ReadState r : node.reads.subList(reads, node.reads.size())) {
      out.add(
          node.id
              + " read id="
              + r.requestId()
              + " index="
              + r.readIndex()
              + (r.success() ? " ok" : " failed"));
    }
  }

  /** Delivers the queued messages once, handling no Ready; false if there was none. */
  private boolean deliverQueue(List<String> out) {
    boolean worked = false;
    List<Message> batch = new ArrayList<>(queue);
    queue.clear();
    for (Message m : batch) {
      worked = true;
      if (cut.contains(m.from() + "->" + m.to()) || !nodes.containsKey(m.to())) {
        out.add("dropped " + Describe.message(m));
      } else {
        out.add(Describe.message(m));
        nodes.get(m.to()).core().step(m);
        nodes.get(m.to()).core().assertInvariants();
      }
    }
    return worked;
  }

  private void partition(String[] args) {
    cut.clear();
    int bar = Arrays.asList(args).indexOf("|");
    List<String> left = Arrays.asList(args).subList(0, bar);
    List<String> right = Arrays.asList(args).subList(bar + 1, args.length);
    for (String a : left) {
      for (String b : right) {
        cut.add(a + "->" + b);
        cut.add(b + "->" + a);
      }
    }
  }

  private void restart(SimNode node, List<String> out) {
    node.crash(random);
    node.open(random.split());
    var hs = node.state.load();
    out.add(
        node.id
            + " restarted with term="
            + hs.term()
            + " vote="
            + hs.votedFor().map(Object::toString).orElse("-")
            + " commit="
            + hs.commit()
            + " log="
            + node.log.firstIndex()
            + ".."
            + node.log.lastIndex());
  }

  private void status(SimNode node, List<String> out) {
    RaftStatus s = node.core().status();
    out.add(
        node.id
            + " "
            + s.role()
            + " t"
            + s.term()
            + " leader="
            + s.leader().map(Object::toString).orElse("-")
            + " commit="
            + s.commitIndex()
            + " applied="
            + s.appliedIndex()
            + " log="
            + s.firstIndex()
            + ".."
            + s.lastIndex());
    s.peers()
        .forEach(
            (id, p) ->
                out.add(
                    "  "
                        + id
                        + " match="
                        + p.matchIndex()
                        + " next="
                        + p.nextIndex()
                        + " "
                        + p.state()
                        + (p.recentlyActive() ? " active" : " inactive")));
  }

  private void log(SimNode node, List<String> out) {
    if (node.log.lastIndex() < node.log.firstIndex()) {
      out.add("empty, compacted up to " + (node.log.firstIndex() - 1));
    }
    long first = node.log.firstIndex();
    for (LogEntry e : node.log.entries(first, node.log.lastIndex() + 1, Long.MAX_VALUE)) {
      out.add(Describe.entry(e));
    }
  }

  /** One line with every node's role and term, e.g. {@code n1 LEADER t2, n2 FOLLOWER t2}. */
  private String roles() {
    StringJoiner line = new StringJoiner(", ");
    for (SimNode node : nodes.values()) {
      RaftStatus s = node.core().status();
      line.add(node.id + " " + s.role() + " t" + s.term());
    }
    return line.toString();
  }

  private static String describe(ProposeResult r) {
    if (r instanceof ProposeResult.Accepted a) {
      return "accepted " + a.index() + "/" + a.term();
    } else if (r instanceof ProposeResult.NotLeader n) {
      return "not leader, hint " + n.leaderHint().map(Object::toString).orElse("-");
    } else if (r instanceof ProposeResult.Dropped d) {
      return "dropped: " + d.reason();
    } else {
      throw new AssertionError(r);
    }
  }

  private SimNode node(String id) {
    SimNode node = nodes.get(NodeId.of(id));
    if (node == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return node;
  }

  private RaftCore core(String id) {
    return node(id).core();
  }
}
