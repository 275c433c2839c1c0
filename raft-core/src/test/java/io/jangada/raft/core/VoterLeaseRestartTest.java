package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.NodeId;
import org.junit.jupiter.api.Test;

/**
 * Thesis §6.4.1 across a restart ({@link VoterLease}): a voter that acknowledged a leader's
 * heartbeat promised to vote for no other candidate for an election timeout; a restart must not
 * make it forget, or a new leader could be elected while the old one still answers lease reads.
 */
class VoterLeaseRestartTest {

  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static final RaftConfig LEASES = Net.PLAIN.toBuilder().checkQuorum(true).build();

  /**
   * n2 acknowledged n1's heartbeat and restarts at once: it ignores n3's vote request (and pre-vote
   * request) for electionTicks of its own ticks after the restart, then grants it.
   */
  @Test
  void restartedVoterKeepsItsLeasePromiseForAnElectionTimeout() {
    Net net = new Net(LEASES, "n1", "n2", "n3");
    net.elect("n1");
    net.tickAll(1); // n2 acknowledges a heartbeat: n1's lease rests on n2's promise
    net.restart("n2");
    for (int tick = 0; tick < LEASES.electionTicks(); tick++) {
      net.flush("n2");
      long term = net.core("n2").status().term() + 1;
      net.core("n2").step(new VoteRequest(N3, N2, term, 9, 1, true, false));
      net.core("n2").step(new VoteRequest(N3, N2, term, 9, 1, false, false));
      assertThat(net.sent("n2")).as("after %d ticks", tick).isEmpty();
      assertThat(net.core("n2").status().term()).isEqualTo(term - 1);
      net.tick("n2", 1);
    }
    net.flush("n2");
    long term = net.core("n2").status().term() + 1;
    net.core("n2").step(new VoteRequest(N3, N2, term, 9, 1, false, false));
    assertThat(net.sent("n2")).containsExactly("n2->n3 VoteResponse t" + term + " granted");
  }

  /** The n1 lease the restarted n2 protects: it is still answered while n2 refuses to vote. */
  @Test
  void oldLeaderAnswersFromItsLeaseOnlyWhileTheRestartedVoterRefuses() {
    Net net = new Net(LEASES, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");
    net.tickAll(1);
    net.isolate("n1");
    net.restart("n2");
    net.tick("n2", 1);
    net.flush("n2");
    net.core("n1").leaseRead(7);
    net.flush("n1");
    assertThat(net.node("n1").reads).containsExactly(new ReadState(7, 1, true));
    long term = net.core("n2").status().term() + 1;
    net.core("n2").step(new VoteRequest(N3, N2, term, 9, 1, false, false));
    assertThat(net.sent("n2")).isEmpty();
  }

  /** A leadership transfer's campaign skips the lease check, also right after a restart. */
  @Test
  void transferCampaignIsGrantedRightAfterRestart() {
    assertThat(voteRightAfterRestart(LEASES, true))
        .containsExactly("n2->n3 VoteResponse t2 granted");
  }

  /** Without lease reads (margin = election timeout) there is no promise to keep. */
  @Test
  void noHoldWhenLeasesAreOff() {
    RaftConfig off = LEASES.toBuilder().leaseMarginTicks(LEASES.electionTicks()).build();
    assertThat(voteRightAfterRestart(off, false)).containsExactly("n2->n3 VoteResponse t2 granted");
  }

  /** Without CheckQuorum no node refuses votes for a lease, restarted or not. */
  @Test
  void noHoldWithoutCheckQuorum() {
    assertThat(voteRightAfterRestart(Net.PLAIN, false))
        .containsExactly("n2->n3 VoteResponse t2 granted");
  }

  /**
   * What n2 answers n3's vote request for term 2 (a transfer's campaign if {@code transfer}) right
   * after n2 restarted, in a cluster n1 leads.
   */
  private static java.util.List<String> voteRightAfterRestart(RaftConfig config, boolean transfer) {
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    net.tickAll(1);
    net.restart("n2");
    net.core("n2").step(new VoteRequest(N3, N2, 2, 9, 1, false, transfer));
    return net.sent("n2");
  }

  /** A node that never had a term (a new cluster) acknowledged no leader: it votes at once. */
  @Test
  void freshNodeVotesAtOnce() {
    Net net = new Net(LEASES, "n1", "n2", "n3");
    net.core("n2").step(new VoteRequest(N3, N2, 1, 0, 0, false, false));
    assertThat(net.sent("n2")).containsExactly("n2->n3 VoteResponse t1 granted");
  }

  /**
   * A whole cluster restarting at once still elects a leader, with and without PreVote: nobody
   * campaigns before its randomized election timeout, which is at least the hold.
   */
  @Test
  void wholeClusterRestartingAtOnceElectsALeader() {
    for (boolean preVote : new boolean[] {false, true}) {
      RaftConfig config = LEASES.toBuilder().preVote(preVote).build();
      Net net = new Net(config, "n1", "n2", "n3");
      net.elect("n1");
      net.tickAll(1);
      long term = net.core("n1").status().term();
      for (String id : net.nodes.keySet()) {
        net.restart(id);
      }
      int ticks = 0;
      while (net.nodes.values().stream().noneMatch(n -> n.core.status().role() == Role.LEADER)) {
        assertThat(ticks).as("preVote %s: ticks without a leader", preVote).isLessThan(40);
        net.tickAll(1);
        ticks++;
      }
      assertThat(ticks).as("preVote %s", preVote).isGreaterThanOrEqualTo(config.electionTicks());
      assertThat(ticks).as("preVote %s", preVote).isLessThan(2 * config.electionTicks());
      assertThat(net.nodes.values().stream().mapToLong(n -> n.core.status().term()).max())
          .hasValue(term + 1);
    }
  }
}
