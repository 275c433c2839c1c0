package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How followers learn the commit index: a commit advance alone sends nothing; the next
 * AppendRequest with entries or the next heartbeat carries it, and a follower whose forwarded read
 * waits for it hears it at once.
 */
class CommitPropagationTest {

  private static final NodeId N1 = NodeId.of("n1");

  /** A three-node cluster led by n1 in which {@code x} (index 2) is on every log, not committed. */
  private static Net replicatedNotCommitted(List<Message> acks) {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.tickAll(1); // everyone knows the no-op committed
    net.propose("n1", "x");
    net.deliver(net.flush("n1"));
    acks.addAll(net.flush("n2"));
    acks.addAll(net.flush("n3"));
    return net;
  }

  /** The acknowledgements commit {@code x} on the leader; its next Readys send nothing. */
  @Test
  void commitAdvanceAloneSendsNoMessage() {
    List<Message> acks = new ArrayList<>();
    Net net = replicatedNotCommitted(acks);
    net.deliver(acks);
    List<Message> sent = net.flush("n1");
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(2);
    assertThat(net.applied("n1")).containsExactly("1/1 NOOP", "2/1 CMD \"x\"");
    assertThat(Describe.messages(sent)).isEmpty();
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(1);
  }

  /** An idle follower learns the commit index from the leader's next heartbeat. */
  @Test
  void idleFollowerLearnsCommitFromNextHeartbeat() {
    List<Message> acks = new ArrayList<>();
    Net net = replicatedNotCommitted(acks);
    net.deliver(acks);
    net.flush("n1");
    net.core("n1").tick(); // heartbeatTicks = 1
    List<Message> heartbeats = net.flush("n1");
    assertThat(Describe.messages(heartbeats))
        .isEqualTo(
            "n1->n2 Heartbeat t1 commit=2 round=2\n" + "n1->n3 Heartbeat t1 commit=2 round=2");
    net.deliver(heartbeats);
    net.stabilize();
    for (String id : List.of("n2", "n3")) {
      assertThat(net.core(id).status().commitIndex()).as(id).isEqualTo(2);
      assertThat(net.applied(id)).as(id).containsExactly("1/1 NOOP", "2/1 CMD \"x\"");
    }
  }

  /** A busy follower learns the commit index from the next AppendRequest with entries. */
  @Test
  void nextAppendCarriesTheCommitIndex() {
    List<Message> acks = new ArrayList<>();
    Net net = replicatedNotCommitted(acks);
    net.deliver(acks);
    net.propose("n1", "y");
    List<Message> appends = net.flush("n1");
    assertThat(Describe.messages(appends))
        .isEqualTo(
            "n1->n2 AppendRequest t1 prev=2/1 commit=2 entries=[3/1 CMD \"y\"]\n"
                + "n1->n3 AppendRequest t1 prev=2/1 commit=2 entries=[3/1 CMD \"y\"]");
    net.deliver(appends);
    net.flush("n2");
    assertThat(net.applied("n2")).containsExactly("1/1 NOOP", "2/1 CMD \"x\"");
  }

  /**
   * n2 forwards a read while its acknowledgement of {@code x} is still on the way: the read's round
   * heartbeat can only tell it commit 1 (its match), the read index is 2. When its acknowledgement
   * arrives the leader tells it commit 2 at once, so it serves the read without waiting for the
   * next heartbeat tick.
   */
  @Test
  void followerReadGetsTheCommitIndexAsSoonAsItHoldsTheEntries() {
    List<Message> acks = new ArrayList<>();
    Net net = replicatedNotCommitted(acks);
    Message n2Ack = acks.get(0);
    assertThat(n2Ack).isInstanceOf(AppendResponse.class);
    assertThat(n2Ack.from().value()).isEqualTo("n2");
    net.deliver(acks.subList(1, 2)); // n3's ack commits x
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(2);

    net.core("n2").readIndex(9);
    net.deliver(net.flush("n2"));
    List<Message> round = net.flush("n1");
    assertThat(Describe.messages(round))
        .isEqualTo(
            "n1->n2 Heartbeat t1 commit=1 round=2\n" + "n1->n3 Heartbeat t1 commit=2 round=2");
    net.deliver(round);
    List<Message> n2RoundAck = net.flush("n2"); // held back too
    net.deliver(net.flush("n3")); // n1 and n3 confirm the round
    List<Message> answer = net.flush("n1");
    assertThat(Describe.messages(answer)).isEqualTo("n1->n2 ReadIndexResponse t1 id=9 index=2 ok");
    net.deliver(answer);
    net.flush("n2");
    assertThat(net.node("n2").reads).containsExactly(new ReadState(9, 2, true));
    assertThat(net.core("n2").status().appliedIndex()).isEqualTo(1); // must wait for index 2

    net.deliver(List.of(n2Ack));
    List<Message> commit = net.flush("n1");
    assertThat(Describe.messages(commit)).isEqualTo("n1->n2 Heartbeat t1 commit=2 round=0");
    net.deliver(commit);
    net.flush("n2");
    assertThat(net.core("n2").status().appliedIndex()).isEqualTo(2);
    net.deliver(n2RoundAck);
    assertThat(net.flush("n1")).isEmpty();
    assertThat(net.applied("n2")).containsExactly("1/1 NOOP", "2/1 CMD \"x\"");
  }

  /** A follower that already heard the commit index from the round costs no extra message. */
  @Test
  void followerReadCostsNoExtraMessageWhenTheRoundCarriedTheCommit() {
    List<Message> acks = new ArrayList<>();
    Net net = replicatedNotCommitted(acks);
    net.deliver(acks);
    net.flush("n1");
    net.core("n2").readIndex(4);
    net.deliver(net.flush("n2"));
    List<Message> round = net.flush("n1");
    assertThat(Describe.messages(round))
        .isEqualTo(
            "n1->n2 Heartbeat t1 commit=2 round=2\n" + "n1->n3 Heartbeat t1 commit=2 round=2");
    net.deliver(round);
    net.deliver(net.flush("n2"));
    net.deliver(net.flush("n3"));
    assertThat(Describe.messages(net.flush("n1")))
        .isEqualTo("n1->n2 ReadIndexResponse t1 id=4 index=2 ok");
  }

  /**
   * A learner's read on a single-voter leader is answered at once, without a round: the answer
   * comes with the commit index the learner needs.
   */
  @Test
  void learnerReadOnSingleVoterLeaderComesWithTheCommitIndex() {
    NodeId n2 = NodeId.of("n2");
    Membership m = Membership.builder().voter(N1).learner(n2).build();
    Net net = new Net(Net.PLAIN, m, "n1", "n2");
    net.elect("n1");
    net.tickAll(1);
    net.propose("n1", "x");
    net.stabilize(); // commits x on n1 alone; n2 holds it but knows commit 1
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(1);
    net.core("n2").readIndex(3);
    net.deliver(net.flush("n2"));
    List<Message> answer = net.flush("n1");
    assertThat(Describe.messages(answer))
        .isEqualTo(
            "n1->n2 Heartbeat t1 commit=2 round=0\n"
                + "n1->n2 ReadIndexResponse t1 id=3 index=2 ok");
    net.deliver(answer);
    net.flush("n2");
    assertThat(net.node("n2").reads).containsExactly(new ReadState(3, 2, true));
    assertThat(net.core("n2").status().appliedIndex()).isEqualTo(2);
  }
}
