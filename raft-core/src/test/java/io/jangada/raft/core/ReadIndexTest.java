package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thesis §6.4: linearizable reads with ReadIndex, and lease reads. */
class ReadIndexTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  /** A new leader serves no read before an entry of its own term has committed. */
  @Test
  void leaderDefersReadsUntilItsNoopCommits() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.deliver(net.flush("n1"));
    net.deliver(net.flush("n2"));
    net.core("n1").readIndex(7);
    var appends = net.flush("n1");
    assertThat(Describe.messages(appends))
        .isEqualTo(
            "n1->n2 AppendRequest t1 prev=0/0 commit=0 entries=[1/1 NOOP]\n"
                + "n1->n3 AppendRequest t1 prev=0/0 commit=0 entries=[1/1 NOOP]");
    assertThat(net.node("n1").reads).isEmpty();
    net.deliver(appends);
    net.stabilize();
    assertThat(net.node("n1").reads).containsExactly(new ReadState(7, 1, true));
  }

  /** A read is answered once a quorum has echoed a heartbeat round sent after the request. */
  @Test
  void readIsAnsweredAfterQuorumEchoesItsRound() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").readIndex(1);
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 Heartbeat t1 commit=1 round=1", "n1->n3 Heartbeat t1 commit=1 round=1");
    net.core("n1").step(new HeartbeatResponse(N2, N1, 1, 0)); // an older round confirms nothing
    net.flush("n1");
    assertThat(net.node("n1").reads).isEmpty();
    net.core("n1").step(new HeartbeatResponse(N2, N1, 1, 1));
    net.flush("n1");
    assertThat(net.node("n1").reads).containsExactly(new ReadState(1, 1, true));
  }

  /** A single-voter leader answers a read at once. */
  @Test
  void singleVoterAnswersReadAtOnce() {
    Net net = new Net(Net.PLAIN, "n1");
    net.elect("n1");
    net.core("n1").readIndex(5);
    assertThat(net.sent("n1")).isEmpty();
    assertThat(net.node("n1").reads).containsExactly(new ReadState(5, 1, true));
  }

  /** A follower forwards a read to the leader and reports the leader's read index. */
  @Test
  void followerForwardsReadToLeader() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n2").readIndex(9);
    var request = net.flush("n2");
    assertThat(Describe.messages(request)).isEqualTo("n2->n1 ReadIndexRequest t1 id=9");
    net.deliver(request);
    net.stabilize();
    assertThat(net.node("n2").reads).containsExactly(new ReadState(9, 1, true));
    assertThat(net.node("n1").reads).isEmpty();
  }

  /** A node that knows no leader fails the read at once. */
  @Test
  void readFailsAtOnceWithoutKnownLeader() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n2").readIndex(3);
    net.flush("n2");
    assertThat(net.node("n2").reads).containsExactly(new ReadState(3, 0, false));
  }

  /** Reads pending on a leader fail when it loses leadership. */
  @Test
  void pendingReadsFailWhenLeaderStepsDown() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n2");
    net.isolate("n3");
    net.core("n1").readIndex(4);
    net.flush("n1");
    net.core("n1").step(new HeartbeatResponse(N2, N1, 2, 0));
    net.flush("n1");
    assertThat(net.node("n1").reads).containsExactly(new ReadState(4, 0, false));
  }

  /** With CheckQuorum, a leader with a fresh quorum answers a lease read without a round. */
  @Test
  void leaseReadIsAnsweredAtOnceWithFreshQuorum() {
    RaftConfig config = Net.PLAIN.toBuilder().checkQuorum(true).build();
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    net.tickAll(1);
    net.core("n1").leaseRead(5);
    assertThat(net.sent("n1")).isEmpty();
    assertThat(net.node("n1").reads).containsExactly(new ReadState(5, 1, true));
  }

  /**
   * Once a leader sent TimeoutNow, the target may win at once (voters skip their lease for a
   * transfer campaign): lease reads fall back to ReadIndex, also after the transfer was aborted.
   */
  @Test
  void leaseReadsStopOnceATransferSentTimeoutNow() {
    RaftConfig config = Net.PLAIN.toBuilder().checkQuorum(true).build();
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    net.tickAll(1);
    net.core("n1").transferLeadership(N2);
    assertThat(net.sent("n1")).containsExactly("n1->n2 TimeoutNow t1"); // n2 never gets it
    net.core("n1").leaseRead(5);
    List<String> sent = net.sent("n1");
    assertThat(net.node("n1").reads).isEmpty();
    assertThat(sent).contains("n1->n2 Heartbeat t1 commit=1 round=2");

    net.isolate("n2");
    net.tickAll(config.electionTicks()); // the transfer is aborted; n3 keeps acknowledging
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").transferee()).isEmpty();
    net.core("n1").leaseRead(6);
    net.flush("n1");
    assertThat(net.node("n1").reads).noneMatch(r -> r.requestId() == 6);
  }

  /** Without a quorum acknowledgement inside the lease, a lease read falls back to ReadIndex. */
  @Test
  void leaseReadFallsBackToReadIndexWithoutFreshQuorum() {
    RaftConfig config = Net.PLAIN.toBuilder().checkQuorum(true).build();
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").leaseRead(5);
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 Heartbeat t1 commit=1 round=1", "n1->n3 Heartbeat t1 commit=1 round=1");
    assertThat(net.node("n1").reads).isEmpty();
    assertThat(N1).isNotNull();
  }

  /** A read forwarded to a leader fails when the follower learns of a new term or leader. */
  @Test
  void forwardedReadFailsWhenLeaderChanges() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n2").readIndex(6);
    net.flush("n2"); // the request is lost
    net.core("n2").step(new io.jangada.raft.model.Message.Heartbeat(NodeId.of("n3"), N2, 2, 0, 0));
    net.flush("n2");
    assertThat(net.node("n2").reads).containsExactly(new ReadState(6, 0, false));
  }

  /** A forwarded read that gets no answer fails after two election timeouts. */
  @Test
  void unansweredForwardedReadExpires() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n2").readIndex(6);
    net.flush("n2");
    net.tickAll(2 * Net.PLAIN.electionTicks() - 1); // the leader stays known throughout
    assertThat(net.node("n2").reads).isEmpty();
    net.tickAll(1);
    assertThat(net.node("n2").reads).containsExactly(new ReadState(6, 0, false));
  }
}
