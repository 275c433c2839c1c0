package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.HardState;
import org.junit.jupiter.api.Test;

/**
 * A node whose storage lost entries it had synced and acknowledged (issue 12, bug 1: recovery cut a
 * damaged tail). Outside Raft's fault model, so the core must notice it: the leader resends what
 * the follower lost instead of probing past it forever, and the node itself neither votes nor
 * campaigns until its log reaches the commit index it had stored.
 */
class LostSyncedTailTest {

  /** Three nodes, n1 leads, entries 1..6 (no-op and five commands) committed everywhere. */
  private static Net clusterWithSixCommitted() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    for (int i = 1; i <= 5; i++) {
      net.propose("n1", "c" + i);
    }
    net.stabilize();
    net.tickAll(1); // heartbeats carry the commit index to the followers
    for (String id : new String[] {"n1", "n2", "n3"}) {
      assertThat(net.core(id).status().commitIndex()).as(id).isEqualTo(6);
    }
    return net;
  }

  @Test
  void leaderRefillsAFollowerThatLostAcknowledgedEntries() {
    Net net = clusterWithSixCommitted();
    assertThat(
            net.core("n1").status().peers().get(io.jangada.raft.model.NodeId.of("n2")).matchIndex())
        .isEqualTo(6);
    net.restartLosingSyncedTail("n2", 3);
    net.isolate("n3"); // the other follower dies: n1 can commit only with n2
    long index = net.propose("n1", "after");
    net.tickAll(5);
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(index);
    assertThat(net.log("n2")).isEqualTo(net.log("n1"));
  }

  /**
   * A follower that lost an acknowledged entry but not its stored commit index (stored commit below
   * the cut, so {@link LostTail} sees nothing) gets it back from an idle leader: a heartbeat
   * carries a commit index capped at the follower's match, the follower answers that its log ends
   * before it, and the leader resends without waiting for a new write.
   */
  @Test
  void idleLeaderRefillsAFollowerThatLostAnAcknowledgedEntryAboveItsStoredCommit() {
    Net net = new Net(Net.PLAIN.toBuilder().heartbeatTicks(3).build(), "n1", "n2", "n3");
    net.elect("n1");
    for (int i = 1; i <= 5; i++) {
      net.propose("n1", "c" + i);
    }
    net.stabilize();
    net.tickAll(3);
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(6);
    HardState stored = net.node("n2").hardState;
    net.node("n2").hardState = new HardState(stored.term(), stored.votedFor(), 4);
    net.restartLosingSyncedTail("n2", 5);
    assertThat(net.core("n2").status().role()).isEqualTo(Role.FOLLOWER);

    net.tickAll(2 * 3); // two heartbeat intervals, no proposal
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.log("n2")).isEqualTo(net.log("n1")).hasSize(6);
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(6);
  }

  @Test
  void aNodeThatLostCommittedEntriesAbstainsUntilCaughtUp() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3"); // n3 misses entries 2..6, committed by n1 and n2
    for (int i = 1; i <= 5; i++) {
      net.propose("n1", "c" + i);
    }
    net.stabilize();
    net.tickAll(1);
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(6);
    net.heal();
    net.isolate("n1"); // the leader dies, and n2 comes back with entries 4..6 gone
    net.restartLosingSyncedTail("n2", 1);

    // n3 (log 1..1) could win with n2's vote and lose the committed entries 2..6: n2 abstains,
    // and does not campaign itself either.
    net.tickAll(60);
    assertThat(net.core("n3").status().role()).isNotEqualTo(Role.LEADER);
    assertThat(net.core("n2").status().role()).isNotEqualTo(Role.LEADER);
    assertThat(net.core("n2").status().role()).isNotEqualTo(Role.CANDIDATE);

    // n1 returns: it wins with n3's vote, refills n2, and then n2 votes again.
    net.heal();
    net.tickAll(60);
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    long index = net.propose("n1", "after");
    net.tickAll(3);
    assertThat(net.log("n2")).isEqualTo(net.log("n1"));
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(index);
    net.isolate("n1");
    net.tickAll(60);
    assertThat(
            net.core("n2").status().role() == Role.LEADER
                || net.core("n3").status().role() == Role.LEADER)
        .as("n2 and n3 elect a leader once n2 caught up")
        .isTrue();
  }
}
