package io.jangada.raft.examples.kv.demo;

import io.jangada.raft.CommittedMembership;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The scenarios {@code kv demo} knows. Each one states its intent in notes and reads what it
 * reports (who leads, which term) from the cluster, never from assumptions: the same code tells the
 * truth for every seed.
 */
final class Scenarios {

  private static final List<Scenario> ALL =
      List.of(
          new Basic(),
          new LaggingFollower(),
          new DropLeader(),
          new Partition(),
          new Transfer(),
          new MembershipChange());

  private Scenarios() {}

  /** Every scenario, in the order the help text lists them. */
  static List<Scenario> all() {
    return ALL;
  }

  /** The scenario called {@code name}. */
  static Optional<Scenario> named(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The names, comma-separated, for messages. */
  static String names() {
    return String.join(", ", ALL.stream().map(Scenario::name).toList());
  }

  /** The first node in id order that is not {@code leader}. */
  static NodeId firstFollower(DemoCluster cluster, NodeId leader) {
    return cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  static NodeId elect(DemoCluster cluster) {
    cluster.note("Followers in term 0, empty logs; each waits 100-200 ms (random) for a leader.");
    return cluster.awaitLeader();
  }

  static void write(DemoCluster cluster, NodeId via, String key, String value) {
    cluster.await(cluster.put(via, key, value));
  }

  /** Election, one write, the value everywhere. */
  static final class Basic implements Scenario {
    @Override
    public String name() {
      return "basic";
    }

    @Override
    public String summary() {
      return "a leader is elected, one write is replicated to every node";
    }

    @Override
    public void play(DemoCluster cluster) {
      NodeId leader = elect(cluster);
      write(cluster, leader, "greeting", "hello");
      cluster.awaitConverged();
    }
  }

  /** A follower misses writes, then catches up: first from the log, then by a snapshot. */
  static final class LaggingFollower implements Scenario {
    @Override
    public String name() {
      return "lagging-follower";
    }

    @Override
    public String summary() {
      return "a follower stops receiving, falls behind, catches up from the log, then by snapshot";
    }

    @Override
    public long snapshotThreshold() {
      return 5;
    }

    @Override
    public void play(DemoCluster cluster) {
      NodeId leader = elect(cluster);
      NodeId lagger = firstFollower(cluster, leader);
      cluster.note(lagger + " stops receiving. The other two are still a majority: writes go on.");
      cluster.cutIncoming(lagger);
      writeMany(cluster, leader, 1, 2);
      cluster.note(
          lagger + " hears again; " + leader + " still has the missing entries in its log.");
      cluster.heal();
      cluster.awaitConverged();
      cluster.note(
          lagger + " is cut off again. Nodes snapshot every 5 applied entries, dropping the log.");
      cluster.cutIncoming(lagger);
      writeMany(cluster, leader, 3, 6);
      cluster.note(
          lagger + " hears again; the entries it misses are gone from " + leader + "'s log.");
      cluster.heal();
      cluster.awaitConverged();
    }

    private static void writeMany(DemoCluster cluster, NodeId leader, int from, int to) {
      List<CompletableFuture<?>> writes = new ArrayList<>();
      for (int i = from; i <= to; i++) {
        writes.add(cluster.put(leader, "k" + i, "v" + i));
      }
      for (CompletableFuture<?> write : writes) {
        cluster.await(write);
      }
    }
  }

  /** The leader crashes after an acknowledged write; a new one takes over with it. */
  static final class DropLeader implements Scenario {
    @Override
    public String name() {
      return "drop-leader";
    }

    @Override
    public String summary() {
      return "the leader crashes; a new leader is elected and no acknowledged write is lost";
    }

    @Override
    public void play(DemoCluster cluster) {
      NodeId first = elect(cluster);
      write(cluster, first, "a", "1");
      cluster.crash(first);
      NodeId second = cluster.awaitLeader(Set.of(first));
      cluster.note(
          second
              + " leads term "
              + cluster.status(second).term()
              + ". Its log holds a=1: a candidate missing a committed entry cannot win a vote.");
      write(cluster, second, "b", "2");
      cluster.restart(first);
      cluster.awaitConverged();
    }
  }

  /** A leader alone in a minority cannot commit; the majority goes on without it. */
  static final class Partition implements Scenario {
    @Override
    public String name() {
      return "partition";
    }

    @Override
    public String summary() {
      return "a leader cut off in a minority cannot commit; PreVote stops it disrupting on return";
    }

    @Override
    public void play(DemoCluster cluster) {
      NodeId old = elect(cluster);
      cluster.awaitConverged();
      Set<NodeId> others =
          Set.copyOf(cluster.ids().stream().filter(id -> !id.equals(old)).toList());
      cluster.note(
          "The network splits: "
              + old
              + " alone, the others together. A client writes to "
              + old
              + ".");
      cluster.partition(Set.of(old), others);
      CompletableFuture<?> stranded = cluster.put(old, "x", "1");
      NodeId fresh = cluster.awaitLeader(Set.of(old));
      long term = cluster.status(fresh).term();
      write(cluster, fresh, "x", "2");
      cluster.await(stranded);
      cluster.run(Duration.ofMillis(400));
      cluster.note(
          old
              + " keeps timing out, but its PreVotes get no answer, so its term stays "
              + cluster.status(old).term()
              + ". The network heals.");
      cluster.heal();
      cluster.awaitConverged();
      NodeId after = cluster.leader().orElseThrow();
      String leadership =
          after.equals(fresh) && cluster.status(after).term() == term
              ? fresh + " still leads term " + term + ": " + old + " rejoined without an election"
              : "leadership moved to " + after + " in term " + cluster.status(after).term();
      boolean replaced =
          stranded.isCompletedExceptionally() && "2".equals(cluster.contents(old).get("x"));
      cluster.note(
          leadership
              + (replaced ? "; x=1 never committed, " + old + " took the leader's log." : "."));
    }
  }

  /** The leader hands leadership to a follower on purpose. */
  static final class Transfer implements Scenario {
    @Override
    public String name() {
      return "transfer";
    }

    @Override
    public String summary() {
      return "the leader hands leadership to a chosen follower (TimeoutNow)";
    }

    @Override
    public void play(DemoCluster cluster) {
      NodeId leader = elect(cluster);
      write(cluster, leader, "a", "1");
      cluster.awaitConverged();
      NodeId target = firstFollower(cluster, leader);
      cluster.note("An operator asks " + leader + " to hand leadership to " + target + ".");
      cluster.await(cluster.transferLeadership(leader, target)).join();
      cluster.note(
          target + " leads term " + cluster.status(target).term() + "; writes go to it now.");
      write(cluster, target, "b", "2");
      cluster.awaitConverged();
    }
  }

  /** A fourth node joins as a learner, catches up and votes; then an original voter is removed. */
  static final class MembershipChange implements Scenario {
    @Override
    public String name() {
      return "membership";
    }

    @Override
    public String summary() {
      return "n4 joins as a learner, catches up, becomes a voter; an original voter is removed";
    }

    @Override
    public void play(DemoCluster cluster) {
      NodeId leader = elect(cluster);
      write(cluster, leader, "a", "1");
      cluster.awaitConverged();
      NodeId joiner = NodeId.of("n4");
      cluster.join(joiner);
      cluster.note(
          joiner
              + " starts empty in join mode (no configuration, never campaigns); "
              + leader
              + " is asked to add it as a learner.");
      CommittedMembership learner = cluster.await(cluster.addLearner(leader, joiner)).join();
      cluster.awaitApplied(joiner, learner.index());
      cluster.note(
          joiner
              + " caught up to index "
              + cluster.status(joiner).appliedIndex()
              + " without a vote; the operator promotes it to voter.");
      cluster.await(cluster.promote(leader, joiner)).join();
      NodeId leaving = firstFollower(cluster, leader);
      cluster.note("Four voters now (majority 3). The operator removes " + leaving + ".");
      cluster.await(cluster.removeMember(leader, leaving)).join();
      cluster.stopRemoved(leaving);
      cluster.note(
          leaving
              + " is stopped. Voters now: "
              + cluster.status(leader).membership().voters()
              + "; "
              + leader
              + " still leads term "
              + cluster.status(leader).term()
              + ".");
      write(cluster, leader, "b", "2");
      cluster.awaitConverged();
    }
  }
}
