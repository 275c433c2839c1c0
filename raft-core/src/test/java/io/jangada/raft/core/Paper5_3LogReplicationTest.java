package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.NodeId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Raft paper §5.3: log replication, plus pipelining, batching and backpressure. */
class Paper5_3LogReplicationTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  private static LogEntry cmd(long index, long term, String data) {
    return LogEntry.command(index, term, Bytes.ofUtf8(data));
  }

  /** A new leader appends a no-op entry of its term and replicates it to every follower. */
  @Test
  void newLeaderAppendsNoopAndReplicatesIt() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.deliver(net.flush("n1"));
    net.deliver(net.flush("n2"));
    net.deliver(net.flush("n3"));
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 AppendRequest t1 prev=0/0 commit=0 entries=[1/1 NOOP]",
            "n1->n3 AppendRequest t1 prev=0/0 commit=0 entries=[1/1 NOOP]");
    assertThat(net.log("n1")).containsExactly("1/1 NOOP");
  }

  /** An entry is committed once a majority stores it, and every node then applies it. */
  @Test
  void entryCommitsOnceStoredOnMajorityAndIsAppliedEverywhere() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    long index = net.propose("n1", "x");
    net.stabilize();
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(index);
    net.tickAll(1); // the heartbeat carries the new commit index
    for (String id : List.of("n1", "n2", "n3")) {
      assertThat(net.applied(id)).as(id).containsExactly("1/1 NOOP", "2/1 CMD \"x\"");
    }
  }

  /** Proposals made between two Readies travel in one AppendRequest per follower. */
  @Test
  void proposalsBetweenReadiesAreBatched() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.propose("n1", "a");
    net.propose("n1", "b");
    net.propose("n1", "c");
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 AppendRequest t1 prev=1/1 commit=1 entries=[2/1 CMD \"a\", 3/1 CMD \"b\", 4/1 CMD \"c\"]",
            "n1->n3 AppendRequest t1 prev=1/1 commit=1 entries=[2/1 CMD \"a\", 3/1 CMD \"b\", 4/1 CMD \"c\"]");
  }

  /** A follower rejects an append whose previous entry it does not hold, with a conflict hint. */
  @Test
  void followerRejectsAppendWhenPreviousEntryDoesNotMatch() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preload("n2", 3, 1, 1, 2, 2, 2);
    RaftCore n2 = net.core("n2");
    n2.step(new AppendRequest(N1, N2, 3, 7, 3, List.of(), 0)); // log too short
    n2.step(new AppendRequest(N1, N2, 3, 5, 3, List.of(), 0)); // term 2 at 5, not 3
    assertThat(net.sent("n2"))
        .containsExactly(
            "n2->n1 AppendResponse t3 reject conflict=6/0",
            "n2->n1 AppendResponse t3 reject conflict=3/2");
  }

  /** A follower deletes a conflicting suffix and appends the leader's entries (§5.3). */
  @Test
  void followerTruncatesConflictingSuffixAndAppends() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preload("n2", 2, 1, 1, 2, 2);
    net.core("n2").step(new AppendRequest(N1, N2, 3, 2, 1, List.of(cmd(3, 3, "y")), 0));
    assertThat(net.sent("n2")).containsExactly("n2->n1 AppendResponse t3 ok match=3");
    assertThat(net.log("n2")).containsExactly("1/1 CMD \"e1\"", "2/1 CMD \"e2\"", "3/3 CMD \"y\"");
  }

  /** A follower ignores entries it already holds and keeps everything after them. */
  @Test
  void followerKeepsMatchingEntriesOnDuplicateAppend() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preload("n2", 1, 1, 1, 1);
    net.core("n2").step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "e1")), 0));
    assertThat(net.sent("n2")).containsExactly("n2->n1 AppendResponse t1 ok match=1");
    assertThat(net.log("n2")).hasSize(3);
  }

  /** A follower's commit index is min(leaderCommit, index of the last new entry). */
  @Test
  void followerCommitIsCappedAtLastNewEntry() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.preload("n2", 1, 1, 1, 1); // entries 2..3 may be stale beyond what the leader verified
    net.core("n2").step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "e1")), 3));
    net.flush("n2");
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(1);
    net.core("n2").step(new Heartbeat(N1, N2, 1, 3, 0));
    net.flush("n2");
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(3);
    assertThat(net.applied("n2")).hasSize(3);
  }

  /** The leader finds the matching point with fast backtracking and repairs the follower. */
  @Test
  void leaderBacktracksWholeTermsAndRepairsFollower() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preload("n1", 3, 1, 1, 3, 3, 3, 3);
    net.preload("n3", 3, 1, 1, 3, 3, 3, 3);
    net.preload("n2", 2, 1, 1, 2, 2, 2, 2, 2, 2);
    net.core("n1").campaign();
    net.deliver(net.flush("n1"));
    net.deliver(net.flush("n3"));
    net.deliver(net.flush("n2"));
    net.flush("n1");
    // n1 probed at prev=6/3; n2 holds term 2 from index 3, so the next probe is at prev=2.
    net.core("n2").step(new AppendRequest(N1, N2, 4, 6, 3, List.of(), 0));
    List<Message> reject = net.flush("n2");
    assertThat(reject.stream().map(Describe::message))
        .containsExactly("n2->n1 AppendResponse t4 reject conflict=3/2");
    net.core("n1").step(reject.get(0));
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 AppendRequest t4 prev=2/1 commit=0 entries=[3/3 CMD \"e3\", 4/3 CMD \"e4\","
                + " 5/3 CMD \"e5\", 6/3 CMD \"e6\", 7/4 NOOP]");
    net.tickAll(3); // the dropped messages are retried after heartbeat responses
    assertThat(net.log("n2")).isEqualTo(net.log("n1"));
  }

  /** In Replicate state the leader pipelines at most maxInflightAppends requests. */
  @Test
  void replicateStatePipelinesUpToInflightLimit() {
    RaftConfig config = Net.PLAIN.toBuilder().maxInflightAppends(2).build();
    Net net = new Net(config, "n1", "n2");
    net.elect("n1");
    for (String c : List.of("a", "b", "c")) {
      net.propose("n1", c);
      net.flush("n1");
    }
    assertThat(net.core("n1").status().peers().get(N2).state()).isEqualTo("replicate");
    assertThat(net.core("n1").status().peers().get(N2).nextIndex()).isEqualTo(4);
    // The third proposal waits for an acknowledgement.
    net.core("n1").step(new AppendResponse(N2, N1, 1, true, 2, 0, 0));
    assertThat(net.sent("n1"))
        .containsExactly("n1->n2 AppendRequest t1 prev=3/1 commit=2 entries=[4/1 CMD \"c\"]");
  }

  /** Each AppendRequest carries at most maxAppendEntries entries and maxAppendBytes bytes. */
  @Test
  void appendRequestsRespectSizeLimits() {
    RaftConfig config = Net.PLAIN.toBuilder().maxAppendEntries(2).build();
    Net net = new Net(config, "n1", "n2");
    net.elect("n1");
    for (String c : List.of("a", "b", "c")) {
      net.propose("n1", c);
    }
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 AppendRequest t1 prev=1/1 commit=1 entries=[2/1 CMD \"a\", 3/1 CMD \"b\"]",
            "n1->n2 AppendRequest t1 prev=3/1 commit=1 entries=[4/1 CMD \"c\"]");
    RaftConfig tiny = Net.PLAIN.toBuilder().maxAppendBytes(1).build();
    Net net2 = new Net(tiny, "n1", "n2");
    net2.elect("n1");
    net2.propose("n1", "a");
    net2.propose("n1", "b");
    assertThat(net2.sent("n1"))
        .containsExactly(
            "n1->n2 AppendRequest t1 prev=1/1 commit=1 entries=[2/1 CMD \"a\"]",
            "n1->n2 AppendRequest t1 prev=2/1 commit=1 entries=[3/1 CMD \"b\"]");
  }

  /** A rejection while replicating sends the follower back to Probe: one request at a time. */
  @Test
  void rejectionInReplicateFallsBackToProbe() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.elect("n1");
    net.propose("n1", "a");
    net.flush("n1");
    net.core("n1").step(new AppendResponse(N2, N1, 1, false, 0, 2, 0));
    assertThat(net.core("n1").status().peers().get(N2).state()).isEqualTo("probe");
    assertThat(net.sent("n1"))
        .containsExactly("n1->n2 AppendRequest t1 prev=1/1 commit=1 entries=[2/1 CMD \"a\"]");
    net.propose("n1", "b");
    assertThat(net.sent("n1")).isEmpty(); // paused until the probe is answered
  }

  /** reportUnreachable moves a replicating follower back to Probe. */
  @Test
  void unreachablePeerGoesBackToProbe() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.elect("n1");
    assertThat(net.core("n1").status().peers().get(N2).state()).isEqualTo("replicate");
    net.core("n1").reportUnreachable(N2);
    assertThat(net.core("n1").status().peers().get(N2).state()).isEqualTo("probe");
  }

  /** A heartbeat response from a follower that lags behind triggers sending it entries. */
  @Test
  void heartbeatResponseFromLaggingFollowerTriggersAppend() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    net.elect("n1");
    net.core("n1").reportUnreachable(N2);
    net.propose("n1", "a");
    net.flush("n1"); // the probe is lost
    net.core("n1").step(new Message.HeartbeatResponse(N2, N1, 1, 0));
    assertThat(net.sent("n1"))
        .containsExactly("n1->n2 AppendRequest t1 prev=1/1 commit=1 entries=[2/1 CMD \"a\"]");
  }

  /** The leader drops proposals while its uncommitted entries exceed maxUncommittedBytes. */
  @Test
  void leaderDropsProposalsWhenUncommittedBacklogIsFull() {
    RaftConfig config = Net.PLAIN.toBuilder().maxUncommittedBytes(100).build();
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n2");
    net.isolate("n3");
    assertThat(net.core("n1").propose(Bytes.ofUtf8("x".repeat(60))))
        .isInstanceOf(ProposeResult.Accepted.class);
    assertThat(net.core("n1").propose(Bytes.ofUtf8("y".repeat(60))))
        .isInstanceOf(ProposeResult.Dropped.class);
    net.heal();
    net.stabilize();
    net.tickAll(1);
    assertThat(net.core("n1").propose(Bytes.ofUtf8("y".repeat(60))))
        .isInstanceOf(ProposeResult.Accepted.class);
  }

  /** Only the leader accepts proposals; others point to the leader they know. */
  @Test
  void followerRefusesProposalWithLeaderHint() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    assertThat(net.core("n2").propose(Bytes.ofUtf8("x")))
        .isEqualTo(new ProposeResult.NotLeader(Optional.of(N1)));
  }
}
