package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Raft paper §5.4: election restriction (§5.4.1) and the commit rule (§5.4.2, Figure 8). */
class Paper5_4SafetyTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  /** A voter rejects a candidate whose last log term is lower than its own. */
  @Test
  void voterRejectsCandidateWithOlderLastTerm() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preload("n2", 2, 1, 2);
    net.core("n2").step(new VoteRequest(N1, N2, 3, 5, 1, false, false));
    assertThat(net.sent("n2")).containsExactly("n2->n1 VoteResponse t3 rejected");
  }

  /** A voter rejects a candidate with the same last term but a shorter log. */
  @Test
  void voterRejectsCandidateWithShorterLogOfSameTerm() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preload("n2", 2, 1, 2, 2);
    net.core("n2").step(new VoteRequest(N1, N2, 3, 2, 2, false, false));
    assertThat(net.sent("n2")).containsExactly("n2->n1 VoteResponse t3 rejected");
  }

  /** A voter grants a candidate whose log is at least as up-to-date as its own. */
  @Test
  void voterGrantsCandidateWithAtLeastAsUpToDateLog() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preload("n2", 2, 1, 2, 2);
    net.core("n2").step(new VoteRequest(N1, N2, 3, 3, 2, false, false));
    net.core("n3").step(new VoteRequest(N1, N3, 3, 1, 3, false, false));
    assertThat(net.sent("n2")).containsExactly("n2->n1 VoteResponse t3 granted");
    assertThat(net.sent("n3")).containsExactly("n3->n1 VoteResponse t3 granted");
  }

  /** A node missing a committed entry cannot win an election (Leader Completeness). */
  @Test
  void nodeMissingCommittedEntryCannotBecomeLeader() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");
    net.propose("n1", "x");
    net.stabilize();
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(2);
    net.heal();
    net.isolate("n1");
    net.core("n3").campaign();
    net.stabilize();
    assertThat(net.core("n3").status().role()).isNotEqualTo(Role.LEADER);
    net.core("n2").campaign();
    net.stabilize();
    assertThat(net.core("n2").status().role()).isEqualTo(Role.LEADER);
  }

  /**
   * Figure 8: a leader never commits an entry of an earlier term by counting replicas; it commits
   * it only together with an entry of its own term.
   */
  @Test
  void leaderDoesNotCommitEarlierTermEntryByCountingReplicas() {
    RaftConfig config = Net.PLAIN.toBuilder().maxAppendEntries(1).build();
    Net net = new Net(config, "n1", "n2", "n3");
    net.preload("n1", 2, 1, 2); // 2/2 was written by n1 as leader of term 2, never committed
    net.preload("n2", 2, 1);
    net.preload("n3", 2, 1);
    net.core("n1").campaign();
    net.deliver(net.flush("n1"));
    net.deliver(net.flush("n2"));
    net.flush("n3");
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").status().term()).isEqualTo(3);
    net.flush("n1");
    // n2 now holds 2/2 as well: a majority, but 2 is from term 2.
    net.core("n1").step(new AppendResponse(N2, N1, 3, true, 2, 0, 0));
    assertThat(net.core("n1").status().commitIndex()).isZero();
    net.core("n1").step(new AppendResponse(N2, N1, 3, true, 3, 0, 0));
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(3);
  }

  /** The commit index never decreases, whatever a (stale) leader message says. */
  @Test
  void commitIndexNeverDecreases() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.propose("n1", "x");
    net.stabilize();
    net.tickAll(1);
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(2);
    net.core("n2").step(new Heartbeat(N1, N2, 1, 0, 0));
    net.core("n2").step(new AppendRequest(N1, N2, 1, 2, 1, List.of(), 1));
    net.flush("n2");
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(2);
    assertThat(net.node("n2").hardState.commit()).isEqualTo(2);
  }
}
