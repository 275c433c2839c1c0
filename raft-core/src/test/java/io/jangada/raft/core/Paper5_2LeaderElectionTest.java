package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.Message.VoteResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Raft paper §5.2: leader election. */
class Paper5_2LeaderElectionTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  /** A follower that hears nothing for its randomized election timeout becomes a candidate. */
  @Test
  void followerBecomesCandidateAfterElectionTimeout() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.tick("n1", 2 * Net.PLAIN.electionTicks());
    assertThat(net.core("n1").status().role()).isEqualTo(Role.CANDIDATE);
    assertThat(net.core("n1").status().term()).isEqualTo(1);
    assertThat(net.sent("n1"))
        .containsExactly("n1->n2 VoteRequest t1 last=0/0", "n1->n3 VoteRequest t1 last=0/0");
    assertThat(net.node("n1").hardState).isEqualTo(new HardState(1, Optional.of(N1), 0));
  }

  /** The election timeout is drawn from [electionTicks, 2 * electionTicks). */
  @Test
  void electionTimeoutIsRandomizedWithinOneToTwoElectionTimeouts() {
    Set<Integer> seen = new TreeSet<>();
    for (long seed = 0; seed < 200; seed++) {
      RaftCore core =
          RaftCore.open(
              N1,
              Net.PLAIN,
              Net.membershipOf("n1", "n2", "n3"),
              new InMemoryLogStorage(),
              HardState.INITIAL,
              0,
              new SplittableRandom(seed));
      int ticks = 0;
      while (core.status().role() == Role.FOLLOWER) {
        core.tick();
        ticks++;
      }
      assertThat(ticks).as("seed %d", seed).isBetween(10, 19);
      seen.add(ticks);
    }
    assertThat(seen).hasSizeGreaterThan(5);
  }

  /** A candidate whose election times out without a winner starts a new one in the next term. */
  @Test
  void candidateStartsNewElectionAfterTimeout() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.flush("n1"); // the votes are lost
    net.tick("n1", 2 * Net.PLAIN.electionTicks());
    assertThat(net.core("n1").status().role()).isEqualTo(Role.CANDIDATE);
    assertThat(net.core("n1").status().term()).isEqualTo(2);
    assertThat(net.sent("n1"))
        .containsExactly("n1->n2 VoteRequest t2 last=0/0", "n1->n3 VoteRequest t2 last=0/0");
  }

  /** A candidate that receives votes from a majority becomes leader. */
  @Test
  void candidateWinsWithMajorityOfVotes() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.isolate("n3");
    net.core("n1").campaign();
    net.deliver(net.flush("n1"));
    net.deliver(net.flush("n2"));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").status().leader()).contains(N1);
  }

  /** A candidate that a majority rejects goes back to being a follower. */
  @Test
  void candidateStepsDownWhenMajorityRejects() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.flush("n1");
    net.core("n1").step(new VoteResponse(N2, N1, 1, false, false));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.CANDIDATE);
    net.core("n1").step(new VoteResponse(N3, N1, 1, false, false));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.core("n1").status().term()).isEqualTo(1);
  }

  /** Each node grants at most one vote per term, first come first served. */
  @Test
  void nodeGrantsAtMostOneVotePerTerm() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    RaftCore n3 = net.core("n3");
    n3.step(new VoteRequest(N1, N3, 1, 0, 0, false, false));
    n3.step(new VoteRequest(N2, N3, 1, 0, 0, false, false));
    n3.step(new VoteRequest(N1, N3, 1, 0, 0, false, false));
    assertThat(net.sent("n3"))
        .containsExactly(
            "n3->n1 VoteResponse t1 granted",
            "n3->n2 VoteResponse t1 rejected",
            "n3->n1 VoteResponse t1 granted");
  }

  /** A vote is persisted (with a sync) in the same Ready that carries the vote response. */
  @Test
  void voteIsPersistedBeforeTheResponseIsSent() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n2").step(new VoteRequest(N1, N2, 1, 0, 0, false, false));
    Ready r = net.core("n2").ready();
    assertThat(r.hardState()).contains(new HardState(1, Optional.of(N1), 0));
    assertThat(r.mustSync()).isTrue();
    assertThat(r.messages()).containsExactly(new VoteResponse(N2, N1, 1, false, true));
  }

  /** A candidate that receives AppendEntries from a leader of its term becomes a follower. */
  @Test
  void candidateYieldsToLeaderOfSameTerm() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.flush("n1");
    net.core("n1").step(new AppendRequest(N2, N1, 1, 0, 0, List.of(), 0));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.core("n1").status().leader()).contains(N2);
    assertThat(net.sent("n1")).containsExactly("n1->n2 AppendResponse t1 ok match=0");
  }

  /** Any message with a higher term makes a leader a follower in that term. */
  @Test
  void leaderStepsDownOnHigherTerm() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").step(new Message.HeartbeatResponse(N2, N1, 5, 0));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.FOLLOWER);
    assertThat(net.core("n1").status().term()).isEqualTo(5);
    assertThat(net.core("n1").status().leader()).isEmpty();
  }

  /** A request with a stale term is rejected with the current term, so the sender catches up. */
  @Test
  void staleTermRequestIsAnsweredWithCurrentTerm() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n2").step(new AppendRequest(N3, N2, 0, 0, 0, List.of(), 0));
    net.core("n2").step(new VoteRequest(N3, N2, 0, 9, 9, false, false));
    assertThat(net.sent("n2"))
        .containsExactly(
            "n2->n3 AppendResponse t1 reject conflict=0/0", "n2->n3 VoteResponse t1 rejected");
  }

  /** A leader sends heartbeats every heartbeatTicks to keep its followers from campaigning. */
  @Test
  void leaderSendsHeartbeatsEveryHeartbeatInterval() {
    RaftConfig config = Net.PLAIN.toBuilder().heartbeatTicks(3).build();
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    net.tick("n1", 2);
    assertThat(net.sent("n1")).isEmpty();
    net.tick("n1", 1);
    assertThat(net.sent("n1"))
        .containsExactly(
            "n1->n2 Heartbeat t1 commit=1 round=1", "n1->n3 Heartbeat t1 commit=1 round=1");
    net.tickAll(50);
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n2").status().term()).isEqualTo(1);
  }

  /** A single-voter cluster elects itself at once. */
  @Test
  void singleVoterBecomesLeaderAtOnce() {
    Net net = new Net(RaftConfig.builder().build(), "n1");
    net.core("n1").campaign();
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    net.flush("n1");
    assertThat(net.core("n1").status().commitIndex()).isEqualTo(1);
    assertThat(net.applied("n1")).containsExactly("1/1 NOOP");
  }

  /** Learners never campaign, however long they hear nothing. */
  @Test
  void learnerNeverCampaigns() {
    Membership m = new Membership(new TreeSet<>(List.of(N1, N2)), new TreeSet<>(List.of(N3)));
    Net net = new Net(Net.PLAIN, m, "n1", "n2", "n3");
    net.tick("n3", 100);
    net.core("n3").campaign();
    assertThat(net.core("n3").status().role()).isEqualTo(Role.LEARNER);
    assertThat(net.sent("n3")).isEmpty();
  }

  /**
   * Only hearing from a leader or granting a vote resets the election timer: a rejected vote
   * request with a higher term does not, so stale candidates cannot starve an up-to-date node.
   */
  @Test
  void rejectedHigherTermVoteRequestDoesNotResetElectionTimer() {
    int undisturbed = ticksUntilCampaign(false);
    int disturbed = ticksUntilCampaign(true);
    assertThat(disturbed).isEqualTo(undisturbed);
  }

  /**
   * A candidate that already voted for itself and must reject a rival of its term whose log is at
   * least as up to date restarts its election timer, so the rival campaigns first in the next term;
   * otherwise a node that cannot win could start each term just before it and take its own vote
   * again (3-node simulation seeds 761336841235 and 761297380858). A rival with an older log does
   * not.
   */
  @Test
  void candidateLetsAnUpToDateRivalOfItsTermGoFirst() {
    int undisturbed = ticksUntilSecondCampaign(Optional.empty());
    assertThat(
            ticksUntilSecondCampaign(Optional.of(new VoteRequest(N2, N1, 1, 0, 0, false, false))))
        .isEqualTo(undisturbed + 3);
    assertThat(
            ticksUntilSecondCampaign(Optional.of(new VoteRequest(N2, N1, 1, 5, 1, false, false))))
        .isEqualTo(undisturbed + 3);
    // Its log older than ours: no reason to wait for it.
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preload("n1", 1, 1, 1);
    net.core("n1").campaign();
    net.flush("n1");
    int ticks = 0;
    while (net.core("n1").status().term() == 2) {
      if (ticks == 3) {
        net.core("n1").step(new VoteRequest(N2, N1, 2, 1, 1, false, false));
        assertThat(net.sent("n1")).containsExactly("n1->n2 VoteResponse t2 rejected");
      }
      net.core("n1").tick();
      ticks++;
    }
    Net quiet = new Net(Net.PLAIN, "n1", "n2", "n3");
    quiet.preload("n1", 1, 1, 1);
    quiet.core("n1").campaign();
    quiet.flush("n1");
    int undisturbedOlder = 0;
    while (quiet.core("n1").status().term() == 2) {
      quiet.core("n1").tick();
      undisturbedOlder++;
    }
    assertThat(ticks).isEqualTo(undisturbedOlder);
  }

  /**
   * Ticks from n1's first campaign (term 1) to its second, with {@code rival} stepped at tick 3.
   */
  private static int ticksUntilSecondCampaign(Optional<VoteRequest> rival) {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.flush("n1");
    int ticks = 0;
    while (net.core("n1").status().term() == 1) {
      if (ticks == 3 && rival.isPresent()) {
        net.core("n1").step(rival.get());
        assertThat(net.sent("n1")).containsExactly("n1->n2 VoteResponse t1 rejected");
      }
      net.core("n1").tick();
      ticks++;
    }
    return ticks;
  }

  private static int ticksUntilCampaign(boolean staleCandidateAtTick3) {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preload("n2", 1, 1);
    int ticks = 0;
    while (net.core("n2").status().role() == Role.FOLLOWER) {
      if (ticks == 3 && staleCandidateAtTick3) {
        net.core("n2").step(new VoteRequest(N3, N2, 5, 0, 0, false, false));
        assertThat(net.sent("n2")).containsExactly("n2->n3 VoteResponse t5 rejected");
      }
      net.core("n2").tick();
      ticks++;
    }
    return ticks;
  }
}
