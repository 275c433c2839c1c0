package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.NodeId;
import org.junit.jupiter.api.Test;

/** Thesis §3.10: leadership transfer. */
class LeadershipTransferTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  /** An up-to-date target gets TimeoutNow at once and wins the next term. */
  @Test
  void upToDateTargetGetsTimeoutNowAtOnce() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").transferLeadership(N2);
    var out = net.flush("n1");
    assertThat(Describe.messages(out)).isEqualTo("n1->n2 TimeoutNow t1");
    net.deliver(out);
    net.stabilize();
    assertThat(net.core("n2").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n2").status().term()).isEqualTo(2);
    assertThat(net.core("n1").status().leader()).contains(N2);
  }

  /** A lagging target is first brought up to date, then sent TimeoutNow. */
  @Test
  void laggingTargetCatchesUpBeforeTimeoutNow() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");
    net.propose("n1", "x");
    net.stabilize();
    net.heal();
    net.core("n1").transferLeadership(N3);
    assertThat(net.sent("n1")).noneMatch(m -> m.contains("TimeoutNow"));
    net.tickAll(3);
    assertThat(net.core("n3").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.log("n3")).contains("2/1 CMD \"x\"");
  }

  /** While a transfer is in progress the leader drops proposals. */
  @Test
  void proposalsAreDroppedDuringTransfer() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n2");
    net.core("n1").transferLeadership(N2);
    assertThat(net.core("n1").propose(Bytes.ofUtf8("x")))
        .isEqualTo(new ProposeResult.Dropped("leadership transfer in progress"));
  }

  /** A transfer that does not complete within an election timeout is aborted. */
  @Test
  void transferIsAbortedAfterElectionTimeout() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n2");
    net.core("n1").transferLeadership(N2);
    net.tickAll(Net.PLAIN.electionTicks());
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").propose(Bytes.ofUtf8("x")))
        .isInstanceOf(ProposeResult.Accepted.class);
  }

  /** TimeoutNow makes a follower campaign at once, skipping PreVote, flagged as a transfer. */
  @Test
  void timeoutNowStartsImmediateTransferCampaign() {
    Net net = new Net(RaftConfig.builder().build(), "n1", "n2", "n3");
    net.elect("n1");
    net.core("n2").step(new TimeoutNow(N1, N2, 1));
    assertThat(net.core("n2").status().role()).isEqualTo(Role.CANDIDATE);
    assertThat(net.sent("n2"))
        .containsExactly(
            "n2->n1 VoteRequest t2 last=1/1 transfer", "n2->n3 VoteRequest t2 last=1/1 transfer");
  }

  /** Transfers to itself or to a non-member are ignored. */
  @Test
  void transferToSelfOrNonMemberIsIgnored() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").transferLeadership(N1);
    net.core("n1").transferLeadership(NodeId.of("n9"));
    assertThat(net.sent("n1")).isEmpty();
    assertThat(net.core("n1").propose(Bytes.ofUtf8("x")))
        .isInstanceOf(ProposeResult.Accepted.class);
  }
}
