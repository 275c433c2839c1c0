package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Snapshots in the simulation (TESTING.md tier T4): a follower partitioned away while the others
 * commit and compact far past its log catches up by InstallSnapshot over the lossy network, then
 * applies further entries from the log, with every invariant checked after each event. Seeded and
 * deterministic; the seed is in every assertion message and in the trace of a failure.
 */
class SimSnapshotTest {

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 20);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void followerPartitionedPastCompactionCatchesUpByInstallSnapshot(long seed) {
    SimCluster cluster =
        SimCluster.withSeed(
            seed,
            3,
            SimNode.Bug.NONE,
            Long.getLong("sim.seed", -1) == seed ? System.out::println : line -> {});
    cluster.withSnapshots(20, (int) (seed % 6));
    cluster.faults = false; // scripted: no random partitions, crashes or clients; drops stay
    try {
      SimNode leader = awaitLeader(cluster, seed);
      SimNode lagging = follower(cluster, leader);
      isolate(cluster, lagging.id);
      long laggingLast = lagging.log.lastIndex();

      // The majority commits and compacts well past the lagging follower's log.
      long target = proposeAndAwait(cluster, seed, 150, n -> !n.id.equals(lagging.id));
      for (SimNode node : cluster.nodes.values()) {
        if (!node.id.equals(lagging.id)) {
          assertThat(node.log.firstIndex())
              .as("seed %d: %s compacted past the lagging follower's last index", seed, node.id)
              .isGreaterThan(laggingLast + 1);
        }
      }
      assertThat(lagging.appliedIndex()).as("seed %d: partitioned", seed).isLessThan(target);
      assertThat(lagging.snapshots.adopted).isZero();

      cluster.net.heal();
      if (seed % 2 == 1) {
        // New entries race with the transfer, so a delayed snapshot may reach a follower whose log
        // already holds (and acknowledged) entries beyond it: they must stay (seed 13 lost them
        // and its leader then retried an append the follower could never accept).
        proposeAndAwait(cluster, seed, 30, n -> true);
      }
      for (int t = 0; t < 1000 && lagging.snapshots.adopted == 0; t++) {
        cluster.tick();
      }
      assertThat(lagging.snapshots.adopted)
          .as("seed %d: %s adopted a snapshot from the leader", seed, lagging.id)
          .isPositive();
      SnapshotMeta installed = lagging.snapshots.latest().orElseThrow();
      assertThat(installed.index()).as("seed %d", seed).isGreaterThan(laggingLast);
      long restoredAt = lagging.appliedIndex();

      // Further entries reach it through the log.
      long after = proposeAndAwait(cluster, seed, 10, n -> true);
      assertThat(lagging.appliedIndex())
          .as("seed %d: %s applied entries from the log after the snapshot", seed, lagging.id)
          .isGreaterThanOrEqualTo(after)
          .isGreaterThan(restoredAt);
      SimNode now = cluster.leader().orElseThrow();
      assertThat(lagging.applied)
          .as("seed %d: the caught-up state machine equals the leader's prefix", seed)
          .isEqualTo(now.applied.subList(0, lagging.applied.size()));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "snapshot catch-up seed "
              + seed
              + " failed: "
              + e.getMessage()
              + "\nstatus: "
              + cluster.statusLine()
              + "\n"
              + cluster.snapshotSummary()
              + "\nlast events:\n"
              + cluster.traceTail(),
          e);
    }
  }

  /** A leader that sends a corrupted snapshot is caught by State Machine Safety on restore. */
  @Test
  void corruptedSnapshotIsCaught() {
    List<String> caught = new ArrayList<>();
    for (long seed = 1; seed <= 10 && caught.isEmpty(); seed++) {
      SimCluster cluster = SimCluster.withSeed(seed, 3, SimNode.Bug.NONE, line -> {});
      cluster.withSnapshots(20, 0);
      cluster.snapshotTransfers.plantCorruptSnapshots = true;
      cluster.faults = false;
      try {
        SimNode leader = awaitLeader(cluster, seed);
        SimNode lagging = follower(cluster, leader);
        isolate(cluster, lagging.id);
        proposeAndAwait(cluster, seed, 150, n -> !n.id.equals(lagging.id));
        cluster.net.heal();
        proposeAndAwait(cluster, seed, 30, n -> true);
      } catch (SimInvariants.Violation v) {
        caught.add("seed " + seed + ": " + v.getMessage());
      }
    }
    System.out.println("corrupted snapshot caught: " + caught);
    assertThat(caught).as("a corrupted snapshot is caught within 10 seeds").isNotEmpty();
    assertThat(caught.get(0)).contains("State Machine Safety");
  }

  @Test
  void snapshotBytesRoundTrip() {
    var entries =
        List.of(
            io.jangada.raft.model.LogEntry.noop(1, 1),
            io.jangada.raft.model.LogEntry.command(2, 1, Bytes.ofUtf8("x|y")));
    assertThat(SimSnapshots.decode(SimSnapshots.encode(entries))).isEqualTo(entries);
    assertThatThrownBy(() -> SimSnapshots.decode(Bytes.ofUtf8("x")))
        .isInstanceOf(RuntimeException.class);
  }

  private static SimNode awaitLeader(SimCluster cluster, long seed) {
    for (int t = 0; t < 500; t++) {
      Optional<SimNode> leader = cluster.leader();
      if (leader.isPresent()) {
        return leader.get();
      }
      cluster.tick();
    }
    throw new AssertionError("seed " + seed + ": no leader within 500 ticks");
  }

  private static SimNode follower(SimCluster cluster, SimNode leader) {
    for (SimNode node : cluster.nodes.values()) {
      if (!node.id.equals(leader.id)) {
        return node;
      }
    }
    throw new AssertionError("no follower");
  }

  private static void isolate(SimCluster cluster, NodeId id) {
    for (NodeId other : cluster.nodes.keySet()) {
      if (!other.equals(id)) {
        cluster.net.cutBothWays(id, other);
      }
    }
  }

  /**
   * Proposes {@code count} commands through whichever node leads and ticks until the last one is
   * applied on every node {@code waitFor} selects; returns its index.
   */
  private static long proposeAndAwait(
      SimCluster cluster, long seed, int count, java.util.function.Predicate<SimNode> waitFor) {
    int proposed = 0;
    long last = 0;
    long lastTerm = 0;
    for (int t = 0; t < 3000; t++) {
      Optional<SimNode> leader = cluster.leader();
      if (leader.isPresent()
          && proposed == count
          && leader.get().core().status().term() > lastTerm) {
        // A new leader: the proposals of the old one may be lost (a healed node without PreVote
        // deposes it before it replicated them); propose them again in the new term.
        proposed = 0;
      }
      if (leader.isPresent() && proposed < count) {
        for (int i = 0; i < 5 && proposed < count; i++) {
          String value = "s" + seed + "t" + t + "c" + count + "#" + proposed;
          ProposeResult r = leader.get().core().propose(Bytes.ofUtf8(value));
          if (r instanceof ProposeResult.Accepted a) {
            proposed++;
            last = a.index();
            lastTerm = a.term();
          }
        }
      }
      if (proposed == count && allApplied(cluster, last, waitFor)) {
        return last;
      }
      cluster.tick();
    }
    throw new AssertionError(
        "seed " + seed + ": " + count + " commands not applied; status " + cluster.statusLine());
  }

  private static boolean allApplied(
      SimCluster cluster, long index, java.util.function.Predicate<SimNode> waitFor) {
    Optional<io.jangada.raft.model.LogEntry> e = cluster.invariants.committedAt(index);
    if (e.isEmpty()) {
      return false;
    }
    for (SimNode node : cluster.nodes.values()) {
      if (waitFor.test(node) && (!node.isUp() || node.appliedIndex() < index)) {
        return false;
      }
    }
    return true;
  }
}
