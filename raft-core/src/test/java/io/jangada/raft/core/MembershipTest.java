package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Which configuration is in force, and how learners take part (§6, thesis §4.2.1). */
class MembershipTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  /** The newest MEMBERSHIP entry in the log overrides the configuration given to open(). */
  @Test
  void membershipEntryInLogOverridesInitialConfiguration() {
    InMemoryLogStorage log = new InMemoryLogStorage();
    Membership three = Membership.ofVoters(N1, N2, N3);
    log.append(List.of(LogEntry.noop(1, 1), LogEntry.membership(2, 1, three), LogEntry.noop(3, 1)));
    RaftCore core =
        RaftCore.open(
            N1,
            Net.PLAIN,
            Membership.ofVoters(N1),
            log,
            new HardState(1, Optional.empty(), 0),
            0,
            new SplittableRandom(1));
    assertThat(core.status().membership()).isEqualTo(three);
    core.campaign();
    assertThat(core.status().role()).isEqualTo(Role.CANDIDATE); // no longer a single voter
  }

  /** Learners receive and apply the log but do not count toward the commit quorum. */
  @Test
  void learnerReceivesLogButDoesNotCountTowardQuorum() {
    Membership m = new Membership(new TreeSet<>(List.of(N1, N2)), new TreeSet<>(List.of(N3)));
    Net net = new Net(Net.PLAIN, m, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n2");
    long index = net.propose("n1", "x");
    net.stabilize();
    net.tickAll(1);
    assertThat(net.log("n3")).contains("2/1 CMD \"x\"");
    assertThat(net.core("n1").status().commitIndex()).isLessThan(index);
    net.heal();
    net.tickAll(2);
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(index);
    assertThat(net.applied("n3")).containsExactly("1/1 NOOP", "2/1 CMD \"x\"");
    assertThat(net.core("n3").status().role()).isEqualTo(Role.LEARNER);
  }
}
