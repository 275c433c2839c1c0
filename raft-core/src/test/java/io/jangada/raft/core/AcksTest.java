package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A follower acknowledges the AppendRequests it handled before one Ready with one cumulative
 * AppendResponse per leader ({@link Acks}); rejections are never merged or reordered.
 */
class AcksTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static AppendResponse ok(NodeId to, long term, long match) {
    return new AppendResponse(N2, to, term, true, match, 0, 0);
  }

  private static AppendResponse rejected(NodeId to, long term, long prev) {
    return new AppendResponse(N2, to, term, false, prev, prev, 0);
  }

  private static List<Message> acknowledge(List<Message> before, NodeId to, long term, long match) {
    List<Message> out = new ArrayList<>(before);
    Acks.acknowledge(out, N2, to, term, match);
    return out;
  }

  @Test
  void aSecondSuccessReplacesTheFirstAndGoesLast() {
    HeartbeatResponse hb = new HeartbeatResponse(N2, N1, 3, 7);
    assertThat(acknowledge(List.of(ok(N1, 3, 5), hb), N1, 3, 9)).containsExactly(hb, ok(N1, 3, 9));
  }

  @Test
  void theMergedAcknowledgementKeepsTheHigherIndex() {
    // A stale request (prev below commit) is answered with the commit index, lower than before.
    assertThat(acknowledge(List.of(ok(N1, 3, 9)), N1, 3, 4)).containsExactly(ok(N1, 3, 9));
  }

  @Test
  void aRejectionInBetweenIsNeitherMergedNorOvertaken() {
    List<Message> before = List.of(ok(N1, 3, 5), rejected(N1, 3, 8));
    assertThat(acknowledge(before, N1, 3, 6))
        .containsExactly(ok(N1, 3, 5), rejected(N1, 3, 8), ok(N1, 3, 6));
  }

  @Test
  void successesOfAnotherTermOrToAnotherNodeStay() {
    assertThat(acknowledge(List.of(ok(N1, 2, 5)), N1, 3, 6))
        .containsExactly(ok(N1, 2, 5), ok(N1, 3, 6));
    assertThat(acknowledge(List.of(ok(N3, 3, 5)), N1, 3, 6))
        .containsExactly(ok(N3, 3, 5), ok(N1, 3, 6));
  }

  /**
   * End to end in the core: a follower that handles two pipelined AppendRequests and a commit-only
   * one before its next Ready sends one AppendResponse, for the last index; the leader's progress
   * and commit end where three acknowledgements would have put them.
   */
  @Test
  void aFollowerAcknowledgesSeveralRequestsOfOneReadyOnce() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    RaftCore n1 = net.core("n1");
    long last = n1.status().lastIndex();
    long term = n1.status().term();
    n1.propose(Bytes.ofUtf8("a"));
    List<Message> first = net.flush("n1");
    n1.propose(Bytes.ofUtf8("b"));
    List<Message> second = net.flush("n1");
    List<Message> toN2 = new ArrayList<>();
    for (Message m : first) {
      if (m.to().equals(N2)) {
        toN2.add(m);
      }
    }
    for (Message m : second) {
      if (m.to().equals(N2)) {
        toN2.add(m);
      }
    }
    AppendRequest b = (AppendRequest) toN2.get(toN2.size() - 1);
    toN2.add(new AppendRequest(N1, N2, term, b.prevLogIndex() + 1, term, List.of(), last));
    assertThat(toN2).hasSize(3);

    net.deliver(toN2);
    List<Message> acks = net.flush("n2");

    assertThat(acks).containsExactly(new AppendResponse(N2, N1, term, true, last + 2, 0, 0));
    net.deliver(acks);
    net.flush("n1");
    assertThat(n1.status().commitIndex()).isEqualTo(last + 2);
    assertThat(n1.status().peers().get(N2).matchIndex()).isEqualTo(last + 2);
  }

  /** A rejected request among accepted ones is still answered, in order, before later successes. */
  @Test
  void aRejectionIsStillSent() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    long last = net.core("n1").status().lastIndex();
    long term = net.core("n1").status().term();
    LogEntry next = LogEntry.command(last + 1, term, Bytes.ofUtf8("x"));
    net.deliver(
        List.of(
            new AppendRequest(N1, N2, term, last, term, List.of(next), last),
            // a gap: n2 does not hold last + 5
            new AppendRequest(N1, N2, term, last + 5, term, List.of(), last),
            new AppendRequest(N1, N2, term, last + 1, term, List.of(), last)));

    List<Message> out = net.flush("n2");

    assertThat(out).hasSize(3);
    assertThat(out.get(0)).isEqualTo(new AppendResponse(N2, N1, term, true, last + 1, 0, 0));
    assertThat(((AppendResponse) out.get(1)).success()).isFalse();
    assertThat(out.get(2)).isEqualTo(new AppendResponse(N2, N1, term, true, last + 1, 0, 0));
  }
}
