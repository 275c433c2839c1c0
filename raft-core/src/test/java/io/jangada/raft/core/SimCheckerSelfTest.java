package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TESTING.md tier T5 (start): the simulation with a planted driver bug must report a safety
 * violation within a bounded number of seeds, which proves the checkers can fail.
 */
class SimCheckerSelfTest {

  /**
   * Each row plants one bug, names the property expected to catch it (empty: any) and the seed
   * budget. Acking before the sync and a network that forges acks lose committed entries; the
   * forgotten vote is caught twice: by the durable vote history, and (with that check off) by
   * Election Safety.
   */
  @ParameterizedTest(name = "{0} caught by {2}")
  @CsvSource({
    "ACK_BEFORE_SYNC, true, '', 500",
    "FORGET_VOTE_ON_CRASH, true, voted for, 50",
    "FORGET_VOTE_ON_CRASH, false, Election Safety, 1000",
    "FORGED_ACK, true, '', 500",
  })
  void plantedBugIsCaught(SimNode.Bug bug, boolean voteHistory, String expected, int maxSeeds) {
    String caught = null;
    int seeds = 0;
    for (long seed = 1; seed <= maxSeeds && caught == null; seed++) {
      seeds++;
      SimCluster cluster = SimCluster.withSeed(seed, 3, bug, line -> {});
      cluster.invariants.checkVoteHistory = voteHistory;
      try {
        cluster.run(300);
      } catch (SimInvariants.Violation v) {
        caught = "seed " + seed + ": " + v.getMessage();
      } catch (AssertionError notSafety) {
        // A planted bug may also stall progress; only a safety violation counts as caught.
      }
    }
    System.out.println(bug + " caught after " + seeds + " seeds: " + caught);
    assertThat(caught).as("%s caught within %d seeds", bug, maxSeeds).isNotNull();
    assertThat(caught).contains(expected);
  }
}
