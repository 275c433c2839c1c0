package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.NodeId;
import org.junit.jupiter.api.Test;

/** Ongaro's thesis §9.6: the PreVote phase. */
class Thesis9_6PreVoteTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  private static final RaftConfig PRE_VOTE = Net.PLAIN.toBuilder().preVote(true).build();

  /** A pre-candidate asks for votes in term+1 without changing its own term or vote. */
  @Test
  void preCandidateKeepsItsTermAndVote() {
    Net net = new Net(PRE_VOTE, "n1", "n2", "n3");
    net.core("n1").campaign();
    assertThat(net.core("n1").status().role()).isEqualTo(Role.PRE_CANDIDATE);
    assertThat(net.core("n1").status().term()).isZero();
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 VoteRequest t1 last=0/0 pre", "n1->n3 VoteRequest t1 last=0/0 pre");
    assertThat(net.node("n1").hardState).isEqualTo(HardState.INITIAL);
  }

  /** Only after a majority of pre-votes does the node become a real candidate, and then leader. */
  @Test
  void preVoteMajorityStartsTheRealElection() {
    Net net = new Net(PRE_VOTE, "n1", "n2", "n3");
    net.isolate("n3");
    net.core("n1").campaign();
    net.deliver(net.flush("n1"));
    net.deliver(net.flush("n2"));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.CANDIDATE);
    var votes = net.flush("n1");
    assertThat(Describe.messages(votes))
        .isEqualTo("n1->n2 VoteRequest t1 last=0/0\nn1->n3 VoteRequest t1 last=0/0");
    net.deliver(votes);
    net.stabilize();
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").status().term()).isEqualTo(1);
  }

  /** Granting a pre-vote changes neither the voter's term nor its vote. */
  @Test
  void grantingPreVoteChangesNothingOnTheVoter() {
    Net net = new Net(PRE_VOTE, "n1", "n2", "n3");
    net.core("n2").step(new VoteRequest(N1, N2, 1, 0, 0, true, false));
    Ready r = net.core("n2").ready();
    assertThat(Describe.messages(r.messages())).isEqualTo("n2->n1 VoteResponse t1 pre granted");
    assertThat(r.hardState()).isEmpty();
    assertThat(net.core("n2").status().term()).isZero();
  }

  /** A pre-vote is refused to a node whose log is behind. */
  @Test
  void preVoteIsRefusedToStaleLog() {
    Net net = new Net(PRE_VOTE, "n1", "n2", "n3");
    net.preload("n2", 2, 1, 2);
    net.core("n2").step(new VoteRequest(N1, N2, 3, 5, 1, true, false));
    assertThat(net.sent("n2")).containsExactly("n2->n1 VoteResponse t2 pre rejected");
    assertThat(net.core("n2").status().term()).isEqualTo(2);
  }

  /** A partitioned node does not inflate its term, so rejoining does not depose the leader. */
  @Test
  void partitionedNodeDoesNotDisruptLeaderWhenItRejoins() {
    Net net = new Net(RaftConfig.builder().build(), "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");
    net.tickAll(100);
    assertThat(net.core("n3").status().term()).isEqualTo(1);
    net.heal();
    net.tickAll(50);
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").status().term()).isEqualTo(1);
    assertThat(net.core("n3").status().leader()).contains(N1);
  }

  /** With PreVote on, a single voter still elects itself at once. */
  @Test
  void singleVoterWithPreVoteBecomesLeaderAtOnce() {
    Net net = new Net(PRE_VOTE, "n1");
    net.core("n1").campaign();
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").status().term()).isEqualTo(1);
  }
}
