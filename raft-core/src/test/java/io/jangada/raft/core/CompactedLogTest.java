package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The core on a log whose prefix was compacted into a snapshot (firstIndex > 1). */
class CompactedLogTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  /** Nodes whose logs start after a snapshot elect a leader and replicate as usual. */
  @Test
  void clusterWithCompactedLogsElectsAndReplicates() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    for (String id : List.of("n1", "n2", "n3")) {
      net.preloadCompacted(id, 1, 3, 1, 1, 1, 1, 1);
    }
    assertThat(net.core("n1").status().firstIndex()).isEqualTo(4);
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(3);
    net.elect("n1");
    net.propose("n1", "x");
    net.stabilize();
    net.tickAll(1);
    assertThat(net.core("n3").status().commitIndex()).isEqualTo(7);
    assertThat(net.applied("n3"))
        .containsExactly("4/1 CMD \"e4\"", "5/1 CMD \"e5\"", "6/2 NOOP", "7/2 CMD \"x\"");
  }

  /** The consistency check at the snapshot boundary uses the snapshot's term. */
  @Test
  void consistencyCheckAtSnapshotBoundaryUsesSnapshotTerm() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preloadCompacted("n2", 1, 3, 1, 1, 1);
    RaftCore n2 = net.core("n2");
    n2.step(
        new AppendRequest(N1, N2, 2, 3, 1, List.of(LogEntry.command(4, 2, Bytes.ofUtf8("y"))), 0));
    n2.step(new AppendRequest(N1, N2, 2, 4, 1, List.of(), 0));
    assertThat(net.sent("n2"))
        .containsExactly(
            "n2->n1 AppendResponse t2 ok match=4", "n2->n1 AppendResponse t2 reject conflict=4/2");
  }

  /** A follower that needs compacted entries moves to Snapshot state and gets no appends. */
  @Test
  void followerNeedingCompactedEntriesMovesToSnapshotState() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preloadCompacted("n1", 1, 3, 1, 1, 1, 1, 1);
    net.preloadCompacted("n2", 1, 3, 1, 1, 1, 1, 1);
    net.elect("n1");
    net.tickAll(3);
    assertThat(net.core("n1").status().peers().get(N3).state()).isEqualTo("snapshot");
    net.core("n1").propose(Bytes.ofUtf8("x"));
    assertThat(net.sent("n1")).noneMatch(m -> m.startsWith("n1->n3 AppendRequest"));
    assertThat(net.log("n3")).isEmpty();
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
  }

  /** Reporting the snapshot done moves the follower back to Probe. */
  @Test
  void reportSnapshotMovesFollowerBackToProbe() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preloadCompacted("n1", 1, 3, 1, 1, 1, 1, 1);
    net.preloadCompacted("n2", 1, 3, 1, 1, 1, 1, 1);
    net.elect("n1");
    net.tickAll(3);
    net.core("n1").reportSnapshot(N3, true);
    assertThat(net.core("n1").status().peers().get(N3).state()).isEqualTo("probe");
  }

  /** Until snapshots are supported, an InstallSnapshot only updates the term and the leader. */
  @Test
  void installSnapshotOnlyUpdatesTermAndLeaderForNow() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    var meta = new io.jangada.raft.model.SnapshotMeta(10, 3, Net.membershipOf("n1", "n2"));
    net.core("n2")
        .step(
            new io.jangada.raft.model.Message.InstallSnapshot(
                N1, N2, 3, meta, 0, Bytes.ofUtf8("s"), true, 0));
    assertThat(net.core("n2").status().term()).isEqualTo(3);
    assertThat(net.core("n2").status().leader()).contains(N1);
    assertThat(net.core("n2").status().lastIndex()).isZero();
    assertThat(net.sent("n2")).isEmpty();
  }
}
