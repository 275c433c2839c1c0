package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Raft §7: a follower adopting a snapshot the driver received, and the leader moving on. */
class SnapshotInstallTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static InstallSnapshot chunk(long term, SnapshotMeta meta) {
    return new InstallSnapshot(N1, N2, term, meta, 0, Bytes.ofUtf8("s"), false, 0);
  }

  /** A snapshot beyond the commit index replaces the log view at once and is handed out. */
  @Test
  void snapshotBeyondCommitIsAdopted() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preload("n2", 1, 1, 1); // two uncommitted entries of term 1
    RaftCore n2 = net.core("n2");
    SnapshotMeta meta = new SnapshotMeta(10, 3, Net.membershipOf("n1", "n2"));
    n2.step(chunk(3, meta));
    assertThat(n2.installSnapshot(meta)).isTrue();

    // The view answers from the pending snapshot before the driver touched storage.
    assertThat(n2.status().firstIndex()).isEqualTo(11);
    assertThat(n2.status().lastIndex()).isEqualTo(10);
    assertThat(n2.status().commitIndex()).isEqualTo(10);
    assertThat(n2.status().appliedIndex()).isEqualTo(10);
    assertThat(net.node("n2").log.lastIndex()).isEqualTo(2);

    Ready ready = n2.ready();
    assertThat(ready.snapshot()).contains(meta);
    assertThat(ready.mustSync()).isTrue();
    assertThat(ready.committed()).isEmpty();
    assertThat(ready.messages().stream().map(Describe::message))
        .containsExactly("n2->n1 AppendResponse t3 ok match=10");
    net.node("n2").log.reset(10, 3);
    n2.advance(ready);
    n2.assertInvariants();
    assertThat(n2.status().firstIndex()).isEqualTo(11);
    assertThat(n2.status().lastIndex()).isEqualTo(10);
    assertThat(n2.hasReady()).isFalse();
  }

  /**
   * Raft §7: a snapshot whose last entry the log already holds keeps the entries after it (they may
   * have been acknowledged to the leader, and counted towards a commit); only the commit index
   * moves. Found by the simulation (SimSnapshotTest, seed 13 healed at once): a delayed snapshot at
   * 168 wiped entries 169..173 the follower had acknowledged.
   */
  @Test
  void snapshotCoveredByTheLogKeepsTheEntriesAfterIt() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preload("n2", 1, 1, 1, 1, 1, 1); // five uncommitted entries of term 1
    RaftCore n2 = net.core("n2");
    SnapshotMeta meta = new SnapshotMeta(3, 1, Net.membershipOf("n1", "n2"));
    n2.step(chunk(1, meta));
    assertThat(n2.installSnapshot(meta)).isFalse();
    n2.assertInvariants();
    assertThat(n2.status().lastIndex()).isEqualTo(5);
    assertThat(n2.status().commitIndex()).isEqualTo(3);
    Ready ready = n2.ready();
    assertThat(ready.snapshot()).isEmpty();
    assertThat(ready.committed()).extracting(LogEntry::index).containsExactly(1L, 2L, 3L);
    assertThat(ready.messages().stream().map(Describe::message))
        .containsExactly("n2->n1 AppendResponse t1 ok match=3");
  }

  /** The pending snapshot's term answers the consistency check of the next append. */
  @Test
  void pendingSnapshotViewAcceptsTheNextAppend() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    RaftCore n2 = net.core("n2");
    SnapshotMeta meta = new SnapshotMeta(10, 3, Net.membershipOf("n1", "n2"));
    n2.step(chunk(3, meta));
    n2.installSnapshot(meta);
    n2.step(
        new AppendRequest(
            N1, N2, 3, 10, 3, List.of(LogEntry.command(11, 3, Bytes.ofUtf8("x"))), 11));
    n2.assertInvariants();
    assertThat(n2.status().lastIndex()).isEqualTo(11);
    assertThat(n2.status().commitIndex()).isEqualTo(11);
    // The snapshot's acknowledgement (10) and the append's (11) go in one Ready: one cumulative
    // AppendResponse (Acks).
    assertThat(net.sent("n2")).containsExactly("n2->n1 AppendResponse t3 ok match=11");
    assertThat(net.log("n2")).containsExactly("11/3 CMD \"x\"");
    assertThat(net.node("n2").log.firstIndex()).isEqualTo(11);
    assertThat(net.node("n2").log.term(10)).isEqualTo(3);
    assertThat(net.applied("n2")).containsExactly("11/3 CMD \"x\"");
  }

  /** A snapshot at or below the commit index is stale: only the commit index is acknowledged. */
  @Test
  void staleSnapshotIsOnlyAcknowledged() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preloadCompacted("n2", 2, 3, 1, 1, 1, 2, 2);
    RaftCore n2 = net.core("n2");
    n2.step(new io.jangada.raft.model.Message.Heartbeat(N1, N2, 2, 5, 1)); // commit 5, leader n1
    net.flush("n2");
    SnapshotMeta stale = new SnapshotMeta(4, 1, Net.membershipOf("n1", "n2"));
    assertThat(n2.installSnapshot(stale)).isFalse();
    Ready ready = n2.ready();
    assertThat(ready.snapshot()).isEmpty();
    assertThat(ready.messages().stream().map(Describe::message))
        .containsExactly("n2->n1 AppendResponse t2 ok match=5");
    n2.advance(ready);
    assertThat(n2.status().firstIndex()).isEqualTo(4);
    assertThat(n2.status().lastIndex()).isEqualTo(5);
  }

  /** A leader never installs a snapshot: its log holds every committed entry. */
  @Test
  void leaderIgnoresInstallSnapshot() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.elect("n1");
    assertThat(net.core("n1").installSnapshot(new SnapshotMeta(9, 1, Net.membershipOf("n1", "n2"))))
        .isFalse();
    assertThat(net.core("n1").status().lastIndex()).isEqualTo(1);
  }

  /** After the follower acknowledges the installed snapshot, the leader replicates from it. */
  @Test
  void leaderMovesSnapshotPeerBackToReplicateAfterAck() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preloadCompacted("n1", 1, 3, 1, 1, 1, 1, 1);
    net.preloadCompacted("n2", 1, 3, 1, 1, 1, 1, 1);
    net.elect("n1");
    net.tickAll(3);
    assertThat(net.core("n1").status().peers().get(N3).state()).isEqualTo("snapshot");

    // The driver streamed the leader's snapshot at 3 and n3 stored it.
    RaftCore n3 = net.core("n3");
    long term = net.core("n1").status().term();
    SnapshotMeta meta = new SnapshotMeta(3, 1, Net.membershipOf("n1", "n2", "n3"));
    n3.step(new InstallSnapshot(N1, N3, term, meta, 0, Bytes.ofUtf8("s"), true, 0));
    assertThat(n3.installSnapshot(meta)).isTrue();
    net.stabilize();
    net.tickAll(1);

    var peer = net.core("n1").status().peers().get(N3);
    assertThat(peer.state()).isEqualTo("replicate");
    assertThat(peer.matchIndex()).isEqualTo(net.core("n1").status().lastIndex());
    assertThat(n3.status().commitIndex()).isEqualTo(net.core("n1").status().commitIndex());
    assertThat(net.log("n3")).containsExactly("4/1 CMD \"e4\"", "5/1 CMD \"e5\"", "6/2 NOOP");
    assertThat(net.applied("n3")).containsExactly("4/1 CMD \"e4\"", "5/1 CMD \"e5\"", "6/2 NOOP");
  }

  /** A long snapshot transfer is not leader silence: each chunk resets the election timer. */
  @Test
  void installSnapshotChunksResetTheElectionTimer() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    RaftCore n2 = net.core("n2");
    SnapshotMeta meta = new SnapshotMeta(10, 1, Net.membershipOf("n1", "n2"));
    n2.step(chunk(1, meta));
    for (int i = 0; i < 5 * Net.PLAIN.electionTicks(); i++) {
      n2.tick();
      n2.step(chunk(1, meta));
    }
    assertThat(n2.status().role()).isEqualTo(Role.FOLLOWER);
    assertThat(n2.status().term()).isEqualTo(1);
    assertThat(n2.status().leader()).isEqualTo(Optional.of(N1));

    // Without chunks the same follower campaigns within two election timeouts.
    for (int i = 0; i < 2 * Net.PLAIN.electionTicks(); i++) {
      n2.tick();
    }
    assertThat(n2.status().role()).isEqualTo(Role.CANDIDATE);
  }

  /**
   * After the driver compacted a MEMBERSHIP entry away behind a stored snapshot, truncating a newer
   * uncommitted MEMBERSHIP entry falls back to the snapshot's configuration, not the one at open.
   */
  @Test
  void compactedMembershipFallsBackToTheStoredSnapshotsConfiguration() {
    NodeId n4 = NodeId.of("n4");
    io.jangada.raft.model.Membership atOpen = io.jangada.raft.model.Membership.ofVoters(N1, N2, N3);
    io.jangada.raft.model.Membership m2 = io.jangada.raft.model.Membership.ofVoters(N1, N2);
    io.jangada.raft.model.Membership m5 = io.jangada.raft.model.Membership.ofVoters(N1, N2, n4);
    var storage = new io.jangada.raft.storage.InMemoryLogStorage();
    storage.append(
        List.of(
            LogEntry.command(1, 1, Bytes.ofUtf8("a")),
            LogEntry.membership(2, 1, m2),
            LogEntry.command(3, 1, Bytes.ofUtf8("b")),
            LogEntry.command(4, 1, Bytes.ofUtf8("c")),
            LogEntry.membership(5, 1, m5)));
    storage.sync();
    RaftCore n2 =
        RaftCore.open(
            N2,
            Net.PLAIN,
            atOpen,
            storage,
            new io.jangada.raft.model.HardState(1, Optional.empty(), 4),
            4,
            new java.util.SplittableRandom(1));
    assertThat(n2.status().membership()).isEqualTo(m5);
    n2.snapshotStored(new SnapshotMeta(4, 1, m2));
    storage.compactUpTo(4);
    assertThat(n2.status().snapshotIndex()).isEqualTo(4);

    // A new leader replaces the uncommitted entry 5: the configuration before it is m2.
    n2.step(
        new AppendRequest(N1, N2, 2, 4, 1, List.of(LogEntry.command(5, 2, Bytes.ofUtf8("x"))), 4));
    n2.assertInvariants();
    assertThat(n2.status().membership()).isEqualTo(m2);
  }
}
