package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.Message.ReadIndexRequest;
import io.jangada.raft.model.Message.ReadIndexResponse;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.Message.VoteResponse;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** step() never throws for stale, unknown, misaddressed, duplicated or nonsensical input. */
class BadInputTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N9 = NodeId.of("n9");

  /** A message addressed to another node, or claiming to come from ourselves, is ignored. */
  @Test
  void misaddressedMessagesAreIgnored() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n2").step(new AppendRequest(N1, N3, 5, 0, 0, List.of(), 0));
    net.core("n2").step(new VoteRequest(N2, N2, 5, 0, 0, false, false));
    assertThat(net.core("n2").hasReady()).isFalse();
    assertThat(net.core("n2").status().term()).isZero();
  }

  /**
   * A response, or a vote request with a log behind ours, from a node outside the configuration is
   * ignored without moving the term (thesis §4.2.3: a removed server must not disrupt the cluster).
   */
  @Test
  void messagesFromNonMembersAreIgnored() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    long term = net.core("n2").status().term();
    net.core("n2").step(new VoteRequest(N9, N2, 5, 0, 0, false, false));
    net.core("n2").step(new VoteRequest(N9, N2, 5, 0, 0, true, false));
    net.core("n2").step(new HeartbeatResponse(N9, N2, 5, 0));
    assertThat(net.core("n2").hasReady()).isFalse();
    assertThat(net.core("n2").status().term()).isEqualTo(term);
  }

  /**
   * A leader's message from a node outside the configuration is followed: this node's log may lag
   * behind the configuration entry that added that leader.
   */
  @Test
  void leaderMessagesFromNodesOutsideTheConfigurationAreFollowed() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n2").step(new Heartbeat(N9, N2, 5, 0, 0));
    assertThat(net.core("n2").status().term()).isEqualTo(5);
    assertThat(net.core("n2").status().leader()).contains(N9);
  }

  /**
   * A leader hearing another node lead its own term (Election Safety broken: lost storage, or nodes
   * back after an unsafe recovery) ignores it and says so at ERROR, once per term.
   */
  @Test
  void aSecondLeaderInTheSameTermIsIgnoredAndReportedOnce() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    RaftCore n1 = net.core("n1");
    long term = n1.status().term();
    long commit = n1.status().commitIndex();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      n1.step(new Heartbeat(N3, N1, term, 0, 0));
      n1.step(new AppendRequest(N3, N1, term, commit, term, List.of(), commit));
      n1.step(new Heartbeat(N3, N1, term, 0, 0));
    } finally {
      System.setErr(original);
    }
    assertThat(n1.status().role()).isEqualTo(Role.LEADER);
    assertThat(n1.status().leader()).contains(N1);
    String logged = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(logged).contains("ERROR").contains("two leaders in one term").contains("n3");
    assertThat(logged.split("two leaders in one term", -1)).hasSize(2); // once for the term
  }

  /** Duplicated and reordered append responses change nothing once applied. */
  @Test
  void duplicatedAndReorderedResponsesAreHarmless() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.propose("n1", "a");
    net.propose("n1", "b");
    net.stabilize();
    long commit = net.core("n1").status().commitIndex();
    for (int i = 0; i < 3; i++) {
      net.core("n1").step(new AppendResponse(N2, N1, 1, true, 1, 0, 0));
      net.core("n1").step(new AppendResponse(N2, N1, 1, true, 3, 0, 0));
      net.core("n1").step(new AppendResponse(N2, N1, 1, false, 0, 1, 0));
      net.core("n1").assertInvariants();
    }
    net.stabilize();
    net.tickAll(2);
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(commit);
    assertThat(net.log("n2")).isEqualTo(net.log("n1"));
  }

  /** An append response claiming a match beyond the leader's log is ignored. */
  @Test
  void outOfRangeMatchIndexIsIgnored() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").step(new AppendResponse(N2, N1, 1, true, 100, 0, 0));
    assertThat(net.core("n1").status().peers().get(N2).matchIndex()).isEqualTo(1);
    net.core("n1").assertInvariants();
  }

  /** Vote responses from an earlier term, or for the wrong kind of vote, are not counted. */
  @Test
  void staleVoteResponsesAreNotCounted() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.core("n1").campaign(); // term 2
    net.flush("n1");
    net.core("n1").step(new VoteResponse(N2, N1, 1, false, true));
    net.core("n1").step(new VoteResponse(N3, N1, 2, true, true));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.CANDIDATE);
  }

  /** Null arguments throw NullPointerException. */
  @Test
  void nullArgumentsThrowNullPointerException() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    RaftCore core = net.core("n1");
    assertThatThrownBy(() -> core.step(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> core.propose(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> core.transferLeadership(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> core.advance(null)).isInstanceOf(NullPointerException.class);
  }

  /** Random nonsense fed to a running cluster never makes step() throw or break an invariant. */
  @Test
  void randomMessagesNeverThrow() {
    for (long seed = 1; seed <= 30; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Net net = new Net(RaftConfig.builder().build(), "n1", "n2", "n3");
      net.elect("n1");
      List<NodeId> ids = List.of(N1, N2, N3, N9);
      for (int i = 0; i < 200; i++) {
        NodeId from = ids.get(random.nextInt(4));
        NodeId to = ids.get(random.nextInt(3));
        Message m = randomMessage(random, from, to);
        try {
          net.core(to.value()).step(m);
          net.core(to.value()).assertInvariants();
          if (random.nextInt(10) == 0) {
            net.tickAll(1);
          }
        } catch (RuntimeException e) {
          throw new AssertionError("seed " + seed + " step " + i + ": " + Describe.message(m), e);
        }
      }
    }
  }

  private static Message randomMessage(SplittableRandom r, NodeId from, NodeId to) {
    long term = r.nextInt(4);
    long index = r.nextInt(6);
    switch (r.nextInt(9)) {
      case 0:
        return new VoteRequest(from, to, term, index, r.nextInt(3), r.nextBoolean(), false);
      case 1:
        return new VoteResponse(from, to, term, r.nextBoolean(), r.nextBoolean());
      case 2:
        List<LogEntry> entries = new ArrayList<>();
        long entryTerm = Math.max(1, term);
        for (int i = 0; i < r.nextInt(3); i++) {
          entries.add(LogEntry.command(index + 1 + i, entryTerm, Bytes.ofUtf8("r")));
        }
        return new AppendRequest(from, to, term, index, r.nextInt(3), entries, r.nextInt(6));
      case 3:
        return new AppendResponse(
            from, to, term, r.nextBoolean(), index, r.nextInt(6), r.nextInt(3));
      case 4:
        return new Heartbeat(from, to, term, r.nextInt(6), r.nextInt(3));
      case 5:
        return new HeartbeatResponse(from, to, term, r.nextInt(3));
      case 6:
        return new TimeoutNow(from, to, term);
      case 7:
        return new ReadIndexRequest(from, to, term, r.nextInt(5));
      default:
        return new ReadIndexResponse(from, to, term, r.nextInt(5), index, r.nextBoolean());
    }
  }
}
