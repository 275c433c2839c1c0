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
   * Each row plants one bug, the cluster size, whether the direct checks (durable vote history,
   * read-index floor) are on, the property expected to catch it (empty: any) and the seed budget.
   * Acking before the sync, a leader that counts its own copy as soon as it handed it to storage
   * (not once the Ready holding it is durable) and a network that forges acks commit entries a
   * quorum has not synced (the durability check sees it at once; Leader Completeness later, when a
   * crash loses one); the forgotten vote is caught twice: by the durable vote history, and (with
   * that check off) by Election Safety. The bugs planted in the core by injecting broken {@link
   * SafetyRules}: counting replicas of an earlier term's entry breaks the leader commit rule;
   * ReadIndex before the no-op commits is caught by the read-index floor and, with that check off,
   * by the clients' linearizability check (a stale read); a pre-vote that moves the receiver's term
   * creates a term nobody campaigned in; ignoring prevLogTerm breaks Log Matching. The membership
   * bugs run with membership churn (last column): a second change while one is uncommitted breaks
   * the one-change rule the invariants check whenever a leader appends a configuration; counting
   * only the new voters during a joint change, using a configuration only once committed, and a
   * removed leader counting itself all commit entries that the configuration in force on the leader
   * (computed from its log) does not hold on a quorum, which the durability check sees; a
   * configuration used only once committed also lets a leader append a second change while the
   * first is uncommitted (which of the two checks fires first depends on the schedule). Snapshots
   * that leave out the client-session table (planted in the simulated driver's snapshot writing,
   * the one place the library adds the table) make a node that restarts or installs such a snapshot
   * judge later session entries differently from the others: the clients' session checks catch it.
   * A restarted voter that forgets its lease promise votes for a campaign while the leader it
   * acknowledged still answers lease reads: the lease nemesis ({@link SimLeaseRestarts}) sets that
   * up, and the read-index floor sees the stale lease read.
   */
  @ParameterizedTest(name = "{0} ({1} nodes, direct checks {2}, churn {5}) caught by {3}")
  @CsvSource({
    "ACK_BEFORE_SYNC, 3, true, Durability, 500, false",
    "LEADER_COUNTS_ITSELF_ON_HAND_OFF, 3, true, Durability, 500, false",
    "LEADER_COUNTS_ITSELF_ON_HAND_OFF, 5, true, Durability, 500, false",
    "FORGET_VOTE_ON_CRASH, 3, true, voted for, 50, false",
    "FORGET_VOTE_ON_CRASH, 3, false, Election Safety, 1000, false",
    "FORGED_ACK, 3, true, Durability, 500, false",
    "COMMIT_PREVIOUS_TERM_BY_COUNTING, 3, true, Commit rule, 1000, false",
    "READ_INDEX_BEFORE_NOOP_COMMITS, 3, true, ReadIndex, 1000, false",
    "READ_INDEX_BEFORE_NOOP_COMMITS, 3, false, Linearizability, 1000, false",
    "PREVOTE_CHANGES_TERM, 3, true, Terms, 1000, false",
    "ACCEPT_MISMATCHED_PREV_LOG_TERM, 3, true, Log Matching, 1000, false",
    "TWO_UNCOMMITTED_CHANGES, 3, true, One change at a time, 1000, true",
    "JOINT_COUNTS_NEW_CONFIGURATION_ONLY, 3, true, Durability, 1000, true",
    "CONFIGURATION_ON_COMMIT, 3, true, Durability|One change at a time, 1000, true",
    "REMOVED_LEADER_COUNTS_ITSELF, 3, true, Durability, 1000, true",
    "FORGET_SESSIONS_IN_SNAPSHOT, 3, true, Sessions, 300, false",
    "LEASE_READ_DURING_TRANSFER, 3, true, ReadIndex, 1000, false",
    "RESTARTED_VOTER_FORGETS_LEASE, 3, true, ReadIndex, 1000, false",
  })
  void plantedBugIsCaught(
      SimNode.Bug bug,
      int nodes,
      boolean directChecks,
      String expected,
      int maxSeeds,
      boolean churn) {
    String caught = null;
    int seeds = 0;
    for (long seed = 1; seed <= maxSeeds && caught == null; seed++) {
      seeds++;
      SimCluster cluster = SimCluster.withSeed(seed, nodes, bug, line -> {});
      cluster.invariants.checkVoteHistory = directChecks;
      cluster.invariants.checkReadFloor = directChecks;
      if (bug == SimNode.Bug.FORGET_SESSIONS_IN_SNAPSHOT) {
        cluster.withSnapshots(20, 5); // the bug needs snapshots to show
      }
      if (churn) {
        cluster.withMembershipChurn();
      }
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
    assertThat(caught).containsAnyOf(expected.split("\\|"));
  }
}
