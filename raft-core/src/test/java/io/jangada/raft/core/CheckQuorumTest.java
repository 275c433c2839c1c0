package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.NodeId;
import org.junit.jupiter.api.Test;

/** CheckQuorum (thesis §6.2) and the leader lease on votes (thesis §4.2.3). */
class CheckQuorumTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static final RaftConfig CHECK_QUORUM = Net.PLAIN.toBuilder().checkQuorum(true).build();

  /** A leader that hears from no quorum within an election timeout steps down. */
  @Test
  void leaderStepsDownWithoutActiveQuorum() {
    Net net = new Net(CHECK_QUORUM, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n1");
    net.tick("n1", 2 * CHECK_QUORUM.electionTicks() - 1);
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    net.tick("n1", 1);
    assertThat(net.core("n1").status().role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.core("n1").status().term()).isEqualTo(1);
  }

  /** A leader that hears from a quorum keeps leading. */
  @Test
  void leaderWithActiveQuorumKeepsLeading() {
    Net net = new Net(CHECK_QUORUM, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");
    net.tickAll(10 * CHECK_QUORUM.electionTicks());
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
  }

  /** A follower that heard from its leader recently ignores a higher-term vote request. */
  @Test
  void followerIgnoresVoteRequestWhileLeaderIsLive() {
    Net net = new Net(CHECK_QUORUM, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n2").step(new VoteRequest(N3, N2, 2, 9, 1, false, false));
    assertThat(net.sent("n2")).isEmpty();
    assertThat(net.core("n2").status().term()).isEqualTo(1);
  }

  /** Once the election timeout passed without the leader, the follower votes again. */
  @Test
  void followerVotesAgainAfterLeaseExpires() {
    Net net = new Net(CHECK_QUORUM, "n1", "n2", "n3");
    net.elect("n1");
    net.tick("n2", CHECK_QUORUM.electionTicks());
    net.core("n2").step(new VoteRequest(N3, N2, 2, 9, 1, false, false));
    assertThat(net.sent("n2")).containsExactly("n2->n3 VoteResponse t2 granted");
  }

  /** A vote request from a leadership transfer bypasses the lease. */
  @Test
  void transferVoteRequestBypassesLease() {
    Net net = new Net(CHECK_QUORUM, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n2").step(new VoteRequest(N3, N2, 2, 9, 1, false, true));
    assertThat(net.sent("n2")).containsExactly("n2->n3 VoteResponse t2 granted");
  }

  /**
   * A node that inflated its term while partitioned makes the stale leader step down by answering
   * its heartbeats with the higher term, so the cluster can elect a leader again (liveness).
   */
  @Test
  void rejoiningNodeWithHigherTermIsNotLockedOut() {
    Net net = new Net(CHECK_QUORUM, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");
    for (int i = 0; i < 3; i++) {
      net.core("n3").campaign();
      net.flush("n3");
    }
    assertThat(net.core("n3").status().term()).isEqualTo(4);
    net.heal();
    net.core("n1").tick();
    net.deliver(net.flush("n1"));
    assertThat(net.sent("n3")).contains("n3->n1 HeartbeatResponse t4 round=0");
    net.core("n1").step(new io.jangada.raft.model.Message.HeartbeatResponse(N3, N1, 4, 0));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.FOLLOWER);
    net.tickAll(5 * CHECK_QUORUM.electionTicks());
    long leaders =
        net.nodes.values().stream().filter(n -> n.core.status().role() == Role.LEADER).count();
    assertThat(leaders).isEqualTo(1);
    assertThat(net.core("n2").status().term()).isGreaterThanOrEqualTo(4);
    assertThat(net.core("n2").status().leader()).isPresent();
    assertThat(N2).isNotNull();
  }
}
