package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Several Readys in flight (etcd's asynchronous storage writes): the driver takes the next Ready
 * while earlier ones are still being written. Each test hands Readys to "storage" (appends without
 * sync) and reports them durable with {@link RaftCore#advance} later, in order. The rules: a leader
 * counts its own copy only once durable (§5.3 with thesis §10.2.1); a follower's acknowledgement
 * and a vote travel in the Ready whose write makes them true (Fig. 2: respond after persisting); a
 * leader's AppendRequests leave early only once its term is durable.
 */
class AsyncReadyTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static LogEntry cmd(long index, long term, String data) {
    return LogEntry.command(index, term, Bytes.ofUtf8(data));
  }

  private static List<Message> to(NodeId id, Ready... readies) {
    List<Message> out = new ArrayList<>();
    for (Ready r : readies) {
      for (Message m : r.messages()) {
        if (m.to().equals(id)) {
          out.add(m);
        }
      }
    }
    return out;
  }

  /**
   * The leader builds and sends the next entry's AppendRequests while the first entry's write is in
   * flight, but commits neither on a follower's acknowledgement alone: its own copy counts only
   * when the Ready that writes it is advanced, one Ready at a time.
   */
  @Test
  void leaderCountsItsOwnEntryOnlyOnceItsReadyIsDurable() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    RaftCore n1 = net.core("n1");
    long commit = n1.status().commitIndex();
    n1.propose(Bytes.ofUtf8("a"));
    Ready r1 = n1.ready();
    assertThat(r1.entries()).extracting(LogEntry::index).containsExactly(commit + 1);
    assertThat(r1.messages()).isNotEmpty().allMatch(r1::mayLeaveBeforeSync);
    net.node("n1").log.append(r1.entries()); // handed to storage, not synced
    n1.propose(Bytes.ofUtf8("b"));
    Ready r2 = n1.ready(); // while r1 is still being written
    assertThat(r2.entries()).extracting(LogEntry::index).containsExactly(commit + 2);
    assertThat(r2.messages()).isNotEmpty().allMatch(r2::mayLeaveBeforeSync);
    net.node("n1").log.append(r2.entries());
    assertThat(n1.readysOutstanding()).isEqualTo(2);

    net.deliver(to(N2, r1, r2));
    net.deliver(net.flush("n2")); // n2 stores both durably and acknowledges them
    assertThat(n1.status().commitIndex()).isEqualTo(commit); // n1's copies are not durable

    assertThatThrownBy(() -> n1.advance(r2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in order");
    net.node("n1").log.sync();
    n1.advance(r1);
    assertThat(n1.status().commitIndex()).isEqualTo(commit + 1);
    n1.advance(r2);
    assertThat(n1.status().commitIndex()).isEqualTo(commit + 2);
    n1.assertInvariants();
  }

  /**
   * A follower takes the next AppendRequest while its previous write is in flight: each
   * acknowledgement travels in the Ready handed out after the entries it covers, so it leaves only
   * once they are durable, and never before the sync ({@link Ready#mayLeaveBeforeSync} is false).
   */
  @Test
  void followerAcknowledgementWaitsForTheReadyThatMakesItTrue() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    RaftCore n2 = net.core("n2");
    n2.step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "a"), cmd(2, 1, "b")), 0));
    Ready r1 = n2.ready();
    assertThat(r1.entries()).hasSize(2);
    assertThat(Describe.messages(r1.messages())).isEqualTo("n2->n1 AppendResponse t1 ok match=2");
    assertThat(r1.messages()).noneMatch(r1::mayLeaveBeforeSync);

    // The next entry (with commit 1), and a retransmission of the first two, arrive while r1 is
    // being written; the retransmission's acknowledgement (up to the commit index, which r1
    // writes) merges into the one for entry 3: one cumulative AppendResponse per Ready (Acks).
    n2.step(new AppendRequest(N1, N2, 1, 2, 1, List.of(cmd(3, 1, "c")), 1));
    n2.step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "a"), cmd(2, 1, "b")), 1));
    Ready r2 = n2.ready();
    assertThat(r2.entries()).containsExactly(cmd(3, 1, "c")); // r1's entries are not repeated
    assertThat(Describe.messages(r2.messages())).isEqualTo("n2->n1 AppendResponse t1 ok match=3");
    assertThat(r2.messages()).noneMatch(r2::mayLeaveBeforeSync);
    // Committed entry 1 lies in r1's write: it is handed out for applying once, in r2, which the
    // driver applies only after r2 (and so r1) is durable.
    assertThat(r2.committed()).containsExactly(cmd(1, 1, "a"));
    assertThat(n2.hasReady()).isFalse();

    net.handle("n2", r1);
    net.handle("n2", r2);
    assertThat(net.log("n2")).containsExactly("1/1 CMD \"a\"", "2/1 CMD \"b\"", "3/1 CMD \"c\"");
    assertThat(n2.status().appliedIndex()).isEqualTo(1);
  }

  /**
   * A vote granted while an earlier write is in flight travels with the Ready that persists it,
   * after that earlier write; it never leaves before the sync.
   */
  @Test
  void voteLeavesOnlyWithTheReadyThatPersistsIt() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    RaftCore n2 = net.core("n2");
    n2.step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "a")), 0));
    Ready r1 = n2.ready();
    n2.step(new VoteRequest(N3, N2, 2, 1, 1, false, false));
    Ready r2 = n2.ready();
    assertThat(r2.hardState()).contains(new HardState(2, Optional.of(N3), 0));
    assertThat(Describe.messages(r2.messages())).isEqualTo("n2->n3 VoteResponse t2 granted");
    assertThat(r2.messages()).noneMatch(r2::mayLeaveBeforeSync);
    assertThat(r2.mustSync()).isTrue();
    net.handle("n2", r1);
    net.handle("n2", r2);
    assertThat(net.node("n2").hardState.votedFor()).contains(N3);
  }

  /**
   * A leader's AppendRequests carry its term: they may leave before the write only once that term
   * is durable. A single voter with a learner wins its election within one input, so its first
   * AppendRequest to the learner is in the Ready that writes the new term and must wait for it; the
   * next Ready's may leave at once.
   */
  @Test
  void leaderAppendsLeaveEarlyOnlyOnceItsTermIsDurable() {
    Membership m = Membership.ofVoters(N1).withLearner(N2, Optional.empty());
    Net net = new Net(Net.PLAIN, m, "n1", "n2");
    RaftCore n1 = net.core("n1");
    n1.campaign();
    Ready r1 = n1.ready();
    assertThat(r1.hardState().map(HardState::term)).contains(1L);
    assertThat(r1.messages()).isNotEmpty().allMatch(msg -> msg instanceof AppendRequest);
    assertThat(r1.messages()).noneMatch(r1::mayLeaveBeforeSync);
    assertThat(r1.leaderTermDurable()).isFalse();
    n1.propose(Bytes.ofUtf8("a"));
    Ready r2 = n1.ready(); // r1 not durable yet: the term is not either
    assertThat(r2.leaderTermDurable()).isFalse();
    net.deliver(net.handle("n1", r1));
    net.deliver(net.handle("n1", r2));
    net.deliver(net.flush("n2")); // the learner acknowledges: n1 replicates to it
    n1.propose(Bytes.ofUtf8("b"));
    Ready r3 = n1.ready();
    assertThat(r3.leaderTermDurable()).isTrue();
    assertThat(r3.messages()).isNotEmpty().allMatch(r3::mayLeaveBeforeSync);

    // A candidate's vote requests always wait for its term and vote.
    Net three = new Net(Net.PLAIN, "n1", "n2", "n3");
    three.core("n1").campaign();
    Ready c = three.core("n1").ready();
    assertThat(c.messages()).hasSize(2).noneMatch(c::mayLeaveBeforeSync);
  }

  /**
   * A new leader replaces entries that are still in flight on a follower (Fig. 7, with the write
   * not yet durable): when the older Ready is advanced only the entries still in the log with the
   * same term become stable; the replacement is written by the next Ready, after the old write.
   */
  @Test
  void truncationOfInFlightEntries() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    RaftCore n2 = net.core("n2");
    n2.step(
        new AppendRequest(
            N1, N2, 1, 0, 0, List.of(cmd(1, 1, "a"), cmd(2, 1, "b"), cmd(3, 1, "c")), 0));
    Ready r1 = n2.ready();
    net.node("n2").log.append(r1.entries());
    n2.step(new AppendRequest(N3, N2, 2, 1, 1, List.of(cmd(2, 2, "x")), 0));
    Ready r2 = n2.ready();
    assertThat(r2.entries()).containsExactly(cmd(2, 2, "x"));
    assertThat(Describe.messages(r2.messages())).isEqualTo("n2->n3 AppendResponse t2 ok match=2");
    assertThat(n2.status().lastIndex()).isEqualTo(2);

    net.node("n2").log.sync();
    n2.advance(r1); // entries 2/1 and 3/1 were replaced: only 1/1 becomes stable
    n2.assertInvariants();
    assertThat(n2.status().lastIndex()).isEqualTo(2);
    assertThat(n2.raftLog().stableLastIndex()).isEqualTo(1);
    assertThat(n2.raftLog().term(2)).isEqualTo(2);

    net.node("n2").log.append(r2.entries());
    net.node("n2").log.sync();
    r2.hardState().ifPresent(h -> net.node("n2").hardState = h);
    n2.advance(r2);
    n2.assertInvariants();
    assertThat(n2.raftLog().stableLastIndex()).isEqualTo(2);
    assertThat(net.log("n2")).containsExactly("1/1 CMD \"a\"", "2/2 CMD \"x\"");
  }

  /**
   * A crash loses the Readys not yet durable: the node restarts from the last synced write, and
   * neither their entries nor their acknowledgement (which the driver had not sent) survive; the
   * leader's commit never counted them.
   */
  @Test
  void restartLosesReadysNotYetDurable() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    RaftCore n2 = net.core("n2");
    n2.step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "a")), 0));
    net.handle("n2", n2.ready()); // durable
    n2.step(new AppendRequest(N1, N2, 1, 1, 1, List.of(cmd(2, 1, "b")), 1));
    Ready r2 = n2.ready();
    net.node("n2").log.append(r2.entries());
    n2.step(new AppendRequest(N1, N2, 1, 2, 1, List.of(cmd(3, 1, "c")), 1));
    Ready r3 = n2.ready();
    net.node("n2").log.append(r3.entries());
    assertThat(n2.readysOutstanding()).isEqualTo(2);

    net.restart("n2"); // power loss before either write was synced
    RaftCore again = net.core("n2");
    assertThat(again.status().lastIndex()).isEqualTo(1);
    assertThat(again.readysOutstanding()).isZero();
    assertThat(net.log("n2")).containsExactly("1/1 CMD \"a\"");
    // A retransmission is acknowledged only up to what is then written again.
    again.step(new AppendRequest(N1, N2, 1, 1, 1, List.of(cmd(2, 1, "b")), 1));
    Ready r = again.ready();
    assertThat(r.entries()).containsExactly(cmd(2, 1, "b"));
    assertThat(Describe.messages(r.messages())).contains("ok match=2");
  }
}
