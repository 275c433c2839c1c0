package io.jangada.raft.core;

import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import java.util.Optional;

/**
 * The liveness checks that end a {@link SimCluster} run, after the faults (TESTING.md tier T4):
 * once the cluster is healed a leader must be elected, a new command must be applied everywhere,
 * and a client operation must succeed, each within its deadline. It drives the cluster by its ticks
 * and draws nothing itself. Not thread-safe.
 */
final class SimLiveness {

  private final SimCluster cluster;
  private final RaftConfig config;

  SimLiveness(SimCluster cluster, RaftConfig config) {
    this.cluster = cluster;
    this.config = config;
  }

  /**
   * Heals everything and stops the faults and new client operations. Then a leader must be elected
   * within 10 election rounds, each an election timeout plus the round trip in which a candidate
   * hears its votes, and a new command must commit and be applied on every node within that plus
   * the time the configured batching needs to ship the longest log once: with {@code
   * maxAppendEntries} 1 a follower missing 150 entries needs 150 round trips, which is slow but not
   * a liveness failure.
   *
   * <p>The round trip belongs in each round because Raft breaks split votes by its randomized
   * timeouts alone (thesis §3.4, §9.3): two candidates split a term whenever their timers fire
   * within a message delay of each other, and the thesis assumes that delay far below the timeout's
   * random range. Here it is up to 3 ticks against a range of 10, so where every voter that can
   * vote must agree (two voters; or four, one abstaining after losing synced entries and one with
   * an older log) about half of the rounds split without PreVote, however correct the code. Ten
   * bare election timeouts are only about five rounds; 3-node seed 761519698864 (voters n1 and n2)
   * and 5-node seed 761394586585 (voters n1, n3 and n4 must agree) split five rounds in a row, each
   * race fresh and in no fixed order.
   */
  void awaitProgress() {
    long roundTrip = 2L * (cluster.net.maxDelay + 1) + 1;
    int electionWindow = (int) (10 * (config.electionTicks() + roundTrip));
    long longestLog = 0;
    for (SimNode node : cluster.nodes.values()) {
      longestLog = Math.max(longestLog, node.log.lastIndex());
    }
    long shipping = (longestLog + config.maxAppendEntries() - 1) / config.maxAppendEntries();
    awaitProgress(electionWindow, (int) (electionWindow + shipping * roundTrip));
  }

  private void awaitProgress(int leaderTicks, int ticks) {
    cluster.stopFaults();
    Optional<Long> target = Optional.empty();
    String value = "";
    boolean leaderSeen = false;
    for (int t = 0; t < ticks; t++) {
      for (SimNode node : cluster.nodes.values()) {
        if (!node.isUp()) {
          cluster.restart(node);
        }
        leaderSeen |= node.acceptsInput() && node.core().status().role() == Role.LEADER;
      }
      if (!leaderSeen && t >= leaderTicks) {
        throw new AssertionError(
            "Liveness: no leader elected within "
                + leaderTicks
                + " ticks after healing; status: "
                + cluster.statusLine());
      }
      if (target.isPresent() && allApplied(target.get(), value)) {
        return;
      }
      if (target.isEmpty() || t % 50 == 49) {
        for (SimNode node : cluster.nodes.values()) {
          if (node.acceptsInput() && node.core().status().role() == Role.LEADER) {
            value = "live" + t;
            ProposeResult r = node.core().propose(Bytes.ofUtf8(value));
            cluster.event(node.id + " propose " + value + " -> " + r);
            if (r instanceof ProposeResult.Accepted a) {
              target = Optional.of(a.index());
            }
          }
        }
      }
      cluster.tick();
    }
    throw new AssertionError(
        "Liveness: no command committed on every node within "
            + ticks
            + " ticks after healing; status: "
            + cluster.statusLine());
  }

  /**
   * After healing and the liveness write, lets the clients start operations again and requires one
   * of them to succeed within {@code ticks} ticks (in-flight retries finish too).
   */
  void awaitClientSuccess(int ticks) {
    cluster.clientsAfterHealing = true;
    int before = cluster.clients.ok;
    for (int t = 0; t < ticks; t++) {
      if (cluster.clients.ok > before) {
        return;
      }
      cluster.tick();
    }
    throw new AssertionError(
        "Liveness: no client operation succeeded within "
            + ticks
            + " ticks after healing; status: "
            + cluster.statusLine());
  }

  private boolean allApplied(long index, String value) {
    Optional<LogEntry> e = cluster.invariants.committedAt(index);
    if (e.isEmpty() || !e.get().data().equals(Bytes.ofUtf8(value))) {
      return false;
    }
    // With churn, only the members of the leader's configuration must apply it.
    boolean churn = cluster.churn;
    Optional<SimNode> leader = cluster.leader();
    if (churn && leader.isEmpty()) {
      return false;
    }
    Optional<Membership> members = leader.map(l -> l.core().status().membership());
    for (SimNode node : cluster.nodes.values()) {
      boolean member = !churn || members.get().contains(node.id);
      if (member && node.appliedIndex() < index) {
        return false;
      }
    }
    return true;
  }
}
