package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemoryLogStorage;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Configuration changes (Raft thesis chapter 4), one rule per test: when a configuration takes
 * effect, one change at a time, single-server versus joint changes, catch-up before promotion,
 * removing the leader, removed and joining nodes.
 */
class MembershipChangeTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");
  private static final NodeId N5 = NodeId.of("n5");

  private static final RaftConfig MODERN =
      Net.PLAIN.toBuilder().preVote(true).checkQuorum(true).build();

  /** A three-voter cluster led by n1, with n4 (and optionally n5) joined as caught-up learners. */
  private static Net clusterWithLearners(RaftConfig config, String... learners) {
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    for (String learner : learners) {
      net.addJoining(learner);
      Membership m = net.core("n1").status().membership();
      accepted(net.core("n1").proposeMembership(m.withLearner(NodeId.of(learner), none())));
      net.stabilize();
    }
    return net;
  }

  private static Optional<String> none() {
    return Optional.empty();
  }

  private static MembershipChange.Accepted accepted(MembershipChange change) {
    assertThat(change).isInstanceOf(MembershipChange.Accepted.class);
    return (MembershipChange.Accepted) change;
  }

  private static MembershipChange.Reason refused(MembershipChange change) {
    assertThat(change).isInstanceOf(MembershipChange.Refused.class);
    return ((MembershipChange.Refused) change).reason();
  }

  /** Thesis §4.1: the leader uses a new configuration as soon as it is appended, uncommitted. */
  @Test
  void leaderUsesConfigurationOnceAppended() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    MembershipChange.Accepted a =
        accepted(net.core("n1").proposeMembership(Membership.ofVoters(N1, N2)));
    assertThat(a.joint()).isFalse();
    assertThat(net.core("n1").status().membership()).isEqualTo(Membership.ofVoters(N1, N2));
    assertThat(net.core("n1").status().membershipIndex()).isEqualTo(a.index());
    assertThat(net.core("n1").status().commitIndex()).isLessThan(a.index());
    // n3 no longer counts and is no longer replicated to.
    assertThat(net.core("n1").status().peers()).containsOnlyKeys(N2);
  }

  /** Thesis §4.1: a follower uses a configuration entry as soon as it is in its log. */
  @Test
  void followerUsesConfigurationOnceAppended() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").proposeMembership(Membership.ofVoters(N1, N2));
    net.deliver(net.flush("n1")); // the entry reaches n2; nothing has committed it yet
    assertThat(net.core("n2").status().membership()).isEqualTo(Membership.ofVoters(N1, N2));
    assertThat(net.core("n2").status().commitIndex())
        .isLessThan(net.core("n2").status().membershipIndex());
  }

  /** A Ready reports the configuration in force once its entries are appended. */
  @Test
  void readyReportsConfigurationInForce() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    MembershipChange.Accepted a =
        accepted(net.core("n1").proposeMembership(Membership.ofVoters(N1, N2)));
    Ready r = net.core("n1").ready();
    assertThat(r.membership()).isEqualTo(Membership.ofVoters(N1, N2));
    assertThat(r.membershipIndex()).isEqualTo(a.index());
    net.handle("n1", r);
  }

  /** A follower's uncommitted configuration entry overwritten by a new leader is undone. */
  @Test
  void overwrittenConfigurationEntryIsUndone() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.core("n1").proposeMembership(Membership.ofVoters(N1, N2));
    net.flush("n1"); // the entry never leaves n1
    assertThat(net.core("n1").status().membership()).isEqualTo(Membership.ofVoters(N1, N2));
    net.isolate("n1");
    net.core("n2").campaign();
    net.stabilize();
    net.heal();
    net.tick("n2", 1);
    net.stabilize();
    assertThat(net.log("n1")).noneMatch(e -> e.contains("CONF"));
    assertThat(net.core("n1").status().membership()).isEqualTo(Net.membershipOf("n1", "n2", "n3"));
    assertThat(net.core("n1").status().membershipIndex()).isZero();
  }

  /** After a restart, the newest configuration entry in the durable log is in force again. */
  @Test
  void configurationIsRestoredOnRestart() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    long index = accepted(net.core("n1").proposeMembership(Membership.ofVoters(N1, N2))).index();
    net.stabilize();
    net.restart("n2");
    assertThat(net.core("n2").status().membership()).isEqualTo(Membership.ofVoters(N1, N2));
    assertThat(net.core("n2").status().membershipIndex()).isEqualTo(index);
  }

  /** A snapshot's configuration, with its entry index, is in force after the log was compacted. */
  @Test
  void configurationIsRestoredFromSnapshot() {
    InMemoryLogStorage log = new InMemoryLogStorage();
    log.reset(20, 3);
    Membership m = Membership.builder().voter(N1, "a:1").voter(N2, "a:2").learner(N3).build();
    RaftCore core =
        RaftCore.open(
            N1,
            Net.PLAIN,
            m,
            log,
            new HardState(3, Optional.empty(), 20),
            20,
            new SplittableRandom(1));
    core.snapshotStored(new SnapshotMeta(20, 3, m, 12));
    assertThat(core.status().membership()).isEqualTo(m);
    assertThat(core.status().membershipIndex()).isEqualTo(12);
  }

  /** A snapshot installed from the leader brings its configuration with it. */
  @Test
  void installedSnapshotBringsItsConfiguration() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.addJoining("n4");
    Membership m = Membership.builder().voter(N1).voter(N2).voter(N3).learner(N4, "x:4").build();
    net.core("n4").step(new Message.Heartbeat(N1, N4, 2, 0, 1));
    assertThat(net.core("n4").installSnapshot(new SnapshotMeta(30, 2, m, 25))).isTrue();
    assertThat(net.core("n4").status().membership()).isEqualTo(m);
    assertThat(net.core("n4").status().membershipIndex()).isEqualTo(25);
    assertThat(net.core("n4").status().role()).isEqualTo(Role.LEARNER);
  }

  /** Only one change may be uncommitted; a second one is refused, not queued. */
  @Test
  void secondChangeIsRefusedWhileOneIsUncommitted() {
    Net net = clusterWithLearners(Net.PLAIN, "n4");
    net.addJoining("n5");
    accepted(net.core("n1").proposeMembership(Membership.ofVoters(N1, N2)));
    Membership other = Membership.builder().voter(N1).voter(N2).voter(N3).learner(N5).build();
    assertThat(refused(net.core("n1").proposeMembership(other)))
        .isEqualTo(MembershipChange.Reason.CHANGE_IN_PROGRESS);
    net.stabilize();
    assertThat(net.log("n1")).filteredOn(e -> e.contains("CONF")).hasSize(2); // n4's, then ours
  }

  /** A compare-and-set on the configuration index refuses a change based on an older one. */
  @Test
  void staleExpectedIndexIsRefused() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    long index = net.core("n1").status().membershipIndex();
    accepted(net.core("n1").proposeMembership(Membership.ofVoters(N1, N2), index));
    net.stabilize();
    assertThat(refused(net.core("n1").proposeMembership(Membership.ofVoters(N1), index)))
        .isEqualTo(MembershipChange.Reason.STALE_CONFIGURATION);
  }

  /** A follower answers NotLeader with its leader hint. */
  @Test
  void followerAnswersNotLeader() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    assertThat(net.core("n2").proposeMembership(Membership.ofVoters(N1, N2)))
        .isEqualTo(new MembershipChange.NotLeader(Optional.of(N1)));
  }

  /** Changing one voter is a single-server change; two voters go through a joint configuration. */
  @Test
  void moreThanOneVoterChangedGoesThroughJointConsensus() {
    Net net = clusterWithLearners(Net.PLAIN, "n4", "n5");
    Membership target = Membership.builder().voter(N1).voter(N4).voter(N5).build();
    MembershipChange.Accepted a = accepted(net.core("n1").proposeMembership(target));
    assertThat(a.joint()).isTrue();
    assertThat(a.configuration().voters()).containsExactly(N1, N4, N5);
    assertThat(a.configuration().outgoingVoters()).containsExactly(N1, N2, N3);
    assertThat(a.target()).isEqualTo(target);
    net.stabilize();
    // The leader left the joint configuration by itself once it committed.
    assertThat(net.core("n1").status().membership()).isEqualTo(target);
    assertThat(net.core("n1").status().membershipIndex())
        .isEqualTo(a.index() + 1)
        .isLessThanOrEqualTo(net.core("n1").status().commitIndex());
  }

  /** Thesis §4.3: a joint configuration commits only with a majority of both voter sets. */
  @Test
  void jointConfigurationNeedsBothMajorities() {
    Net net = clusterWithLearners(Net.PLAIN, "n4", "n5");
    Membership target = Membership.builder().voter(N1).voter(N4).voter(N5).build();
    long index = accepted(net.core("n1").proposeMembership(target)).index();
    net.isolate("n2");
    net.isolate("n3");
    net.stabilize();
    assertThat(net.core("n1").status().commitIndex()).isLessThan(index); // old majority missing
    net.heal();
    net.tickAll(2);
    assertThat(net.core("n1").status().commitIndex()).isGreaterThanOrEqualTo(index + 1);
  }

  /** A new leader that inherits a committed joint configuration leaves it. */
  @Test
  void newLeaderLeavesInheritedJointConfiguration() {
    Net net = clusterWithLearners(Net.PLAIN, "n4");
    Membership target = Membership.builder().voter(N1).voter(N2).voter(N4).build();
    long index = accepted(net.core("n1").proposeMembership(target)).index();
    net.deliver(net.flush("n1")); // the joint entry reaches n2, n3 and n4
    net.isolate("n1"); // ... but n1 crashes before it learns that it committed
    net.stabilize();
    net.core("n2").campaign();
    net.stabilize();
    assertThat(net.core("n2").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n2").status().membership()).isEqualTo(target);
    assertThat(net.core("n2").status().membershipIndex()).isGreaterThan(index);
  }

  /** Thesis §4.2.1: a learner becomes a voter only once caught up; a non-member never directly. */
  @Test
  void promotionRequiresCatchUp() {
    RaftConfig config = Net.PLAIN.toBuilder().maxPromotionLag(2).build();
    Net net = clusterWithLearners(config, "n4");
    net.isolate("n4");
    for (int i = 0; i < 3; i++) {
      net.propose("n1", "x" + i);
    }
    net.stabilize();
    Membership m = net.core("n1").status().membership();
    assertThat(refused(net.core("n1").proposeMembership(m.withPromoted(N4))))
        .isEqualTo(MembershipChange.Reason.NOT_CAUGHT_UP);
    assertThat(refused(net.core("n1").proposeMembership(m.withVoter(N5, none()))))
        .isEqualTo(MembershipChange.Reason.NOT_CAUGHT_UP);
    net.heal();
    net.tickAll(2);
    accepted(net.core("n1").proposeMembership(m.withPromoted(N4)));
  }

  /** A new leader changes nothing before an entry of its term committed. */
  @Test
  void newLeaderRefusesChangesUntilItsNoopCommits() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.core("n1").campaign();
    net.deliver(net.flush("n1"));
    net.deliver(net.flush("n2"));
    net.deliver(net.flush("n3"));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(refused(net.core("n1").proposeMembership(Membership.ofVoters(N1, N2))))
        .isEqualTo(MembershipChange.Reason.LEADER_NOT_READY);
  }

  /** Targets that are joint, empty or unchanged are invalid. */
  @Test
  void invalidTargetsAreRefused() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    Membership current = net.core("n1").status().membership();
    assertThat(refused(net.core("n1").proposeMembership(current)))
        .isEqualTo(MembershipChange.Reason.INVALID);
    assertThat(refused(net.core("n1").proposeMembership(Membership.empty())))
        .isEqualTo(MembershipChange.Reason.INVALID);
    Membership joint = Membership.ofVoters(N1, N2).enterJoint(Membership.ofVoters(N1, N3));
    assertThat(refused(net.core("n1").proposeMembership(joint)))
        .isEqualTo(MembershipChange.Reason.INVALID);
  }

  /**
   * Thesis §4.2.2: a leader that removes itself keeps leading without counting itself, steps down
   * once the change commits and sends TimeoutNow to the most up-to-date remaining voter.
   */
  @Test
  void removedLeaderStepsDownAfterCommitAndHandsOver() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    long index = accepted(net.core("n1").proposeMembership(Membership.ofVoters(N2, N3))).index();
    net.isolate("n3");
    net.stabilize();
    // n2 alone is no majority of {n2, n3}, and n1 does not count itself.
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.core("n1").status().commitIndex()).isLessThan(index);
    net.heal();
    net.tick("n1", 1);
    List<Message> sent = new java.util.ArrayList<>();
    for (int round = 0; round < 20 && net.core("n1").status().role() == Role.LEADER; round++) {
      List<Message> out = net.flush("n1");
      sent.addAll(out);
      net.deliver(out);
      net.deliver(net.flush("n2"));
      net.deliver(net.flush("n3"));
    }
    assertThat(net.core("n1").status().role()).isEqualTo(Role.FOLLOWER);
    sent.addAll(net.flush("n1"));
    assertThat(sent).filteredOn(m -> m instanceof TimeoutNow).hasSize(1);
    net.deliver(sent.stream().filter(m -> m instanceof TimeoutNow).toList());
    net.stabilize();
    NodeId successor = sent.stream().filter(m -> m instanceof TimeoutNow).findFirst().get().to();
    assertThat(net.core(successor.value()).status().role()).isEqualTo(Role.LEADER);
  }

  /** A removed node that missed its removal cannot move the cluster's term (PreVote or not). */
  @Test
  void removedNodeCannotDisrupt() {
    for (RaftConfig config : List.of(Net.PLAIN, MODERN)) {
      Net net = new Net(config, "n1", "n2", "n3");
      net.elect("n1");
      net.isolate("n3");
      accepted(net.core("n1").proposeMembership(Membership.ofVoters(N1, N2)));
      net.stabilize();
      net.heal();
      long term = net.core("n1").status().term();
      for (int i = 0; i < 5; i++) {
        net.tick("n3", 2 * config.electionTicks());
        net.stabilize();
      }
      assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
      assertThat(net.core("n1").status().term()).isEqualTo(term);
      assertThat(net.core("n2").status().term()).isEqualTo(term);
    }
  }

  /**
   * A node that ignores a vote request from a non-voter with an older log (thesis §4.2.3) keeps its
   * term, but the nodes that heard that candidate took its term and may have voted for it: its own
   * next campaign (PreVote or not) goes past the ignored term, or a demoted voter that keeps
   * campaigning (thesis §4.2.2) could take every term first and block every election (3-node seeds
   * 761235612658 and 761246841800 elected no leader after healing).
   */
  @Test
  void campaignGoesPastTheTermOfAnIgnoredCandidate() {
    for (RaftConfig config : List.of(Net.PLAIN, MODERN)) {
      InMemoryLogStorage log = new InMemoryLogStorage();
      Membership demoted = Membership.ofVoters(N1, N2).withLearner(N3, none());
      log.append(List.of(LogEntry.noop(1, 1), LogEntry.membership(2, 1, demoted)));
      RaftCore n1 =
          RaftCore.open(
              N1,
              config,
              Membership.ofVoters(N1, N2, N3),
              log,
              new HardState(1, Optional.empty(), 1),
              1,
              new SplittableRandom(1));
      // n3, demoted by entry 2 (not in its log), campaigns in term 5 with an older log.
      n1.step(new Message.VoteRequest(N3, N1, 5, 1, 1, false, false));
      assertThat(n1.status().term()).isEqualTo(1);
      assertThat(n1.hasReady() ? n1.ready().messages() : List.of()).isEmpty();
      n1.campaign();
      Ready r = n1.ready();
      assertThat(r.messages())
          .singleElement()
          .isInstanceOfSatisfying(
              Message.VoteRequest.class,
              v -> {
                assertThat(v.to()).isEqualTo(N2);
                assertThat(v.term()).isEqualTo(6);
              });
      n1.advance(r);
      if (config.preVote()) {
        assertThat(n1.status().role()).isEqualTo(Role.PRE_CANDIDATE);
        n1.step(new Message.VoteResponse(N2, N1, 6, true, true));
        r = n1.ready();
        assertThat(r.messages()).singleElement().satisfies(m -> assertThat(m.term()).isEqualTo(6));
        n1.advance(r);
      }
      assertThat(n1.status().role()).isEqualTo(Role.CANDIDATE);
      assertThat(n1.status().term()).isEqualTo(6);
      // n2, which voted for n3 in term 5, can vote for n1 in term 6.
      n1.step(new Message.VoteResponse(N2, N1, 6, false, true));
      assertThat(n1.status().role()).isEqualTo(Role.LEADER);
    }
  }

  /**
   * Thesis §4.2.2: a leader that removed itself and lost leadership before the change committed may
   * campaign again; a node whose (uncommitted) configuration no longer lists it must still answer
   * its up-to-date vote request, or the nodes that kept the old configuration (voting for it) and
   * those with the new one (ignoring it) could leave no candidate able to win (seed 2763734).
   */
  @Test
  void removedLeaderWithUncommittedRemovalCanBeReelected() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.isolate("n3");
    long index = accepted(net.core("n1").proposeMembership(Membership.ofVoters(N2, N3))).index();
    net.stabilize();
    assertThat(net.core("n2").status().membership()).isEqualTo(Membership.ofVoters(N2, N3));
    assertThat(net.core("n2").status().commitIndex()).isLessThan(index);
    net.restart("n1"); // loses leadership; its newest configuration is still uncommitted
    net.heal();
    long term = net.core("n2").status().term();
    net.core("n1").campaign();
    List<Message> requests = net.flush("n1");
    assertThat(requests).hasSize(2);
    net.deliver(requests);
    // n2 (configuration {n2, n3}) hears n1 although n1 is no member of it, and votes for it.
    assertThat(net.core("n2").status().term()).isEqualTo(term + 1);
    List<Message> answer = net.flush("n2");
    assertThat(answer)
        .singleElement()
        .satisfies(
            m -> assertThat(Describe.message(m)).contains("VoteResponse").contains("granted"));
    net.deliver(answer);
    net.deliver(net.flush("n3"));
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    net.stabilize(); // the new leader commits its own removal
    assertThat(net.core("n2").status().commitIndex()).isGreaterThanOrEqualTo(index);
  }

  /** A joining node never campaigns, follows the leader and learns its configuration. */
  @Test
  void joiningNodeLearnsConfigurationFromTheLog() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.addJoining("n4");
    net.tick("n4", 100);
    assertThat(net.flush("n4")).isEmpty();
    assertThat(net.core("n4").status().membership().isEmpty()).isTrue();
    Membership m = net.core("n1").status().membership().withLearner(N4, Optional.of("h:4"));
    accepted(net.core("n1").proposeMembership(m));
    net.stabilize();
    assertThat(net.core("n4").status().membership()).isEqualTo(m);
    assertThat(net.core("n4").status().membership().address(N4)).contains("h:4");
    assertThat(net.core("n4").status().role()).isEqualTo(Role.LEARNER);
    assertThat(net.applied("n4")).last().asString().contains("CONF");
  }

  /**
   * Thesis §4.2.2: a node whose newest configuration is uncommitted and leaves it out still
   * campaigns if it was a voter before (it may be needed), without counting its own vote.
   */
  @Test
  void nodeOutsideItsUncommittedConfigurationStillCampaigns() {
    InMemoryLogStorage log = new InMemoryLogStorage();
    log.append(
        List.of(LogEntry.noop(1, 1), LogEntry.membership(2, 1, Membership.ofVoters(N2, N3))));
    RaftCore core =
        RaftCore.open(
            N1,
            Net.PLAIN,
            Membership.ofVoters(N1, N2, N3),
            log,
            new HardState(1, Optional.empty(), 1),
            1,
            new SplittableRandom(1));
    core.campaign();
    assertThat(core.status().role()).isEqualTo(Role.CANDIDATE);
    Ready r = core.ready();
    assertThat(r.messages()).hasSize(2);
    core.advance(r);
    core.step(new Message.VoteResponse(N2, N1, 2, false, true));
    assertThat(core.status().role()).isEqualTo(Role.CANDIDATE); // its own vote does not count
    core.step(new Message.VoteResponse(N3, N1, 2, false, true));
    assertThat(core.status().role()).isEqualTo(Role.LEADER);
    assertThat(core.ready().entries().stream().map(LogEntry::type).filter(EntryType.NOOP::equals))
        .hasSize(1);
  }

  /** A learner does not campaign, even when its election timer runs out. */
  @Test
  void learnerNeverCampaigns() {
    Net net = clusterWithLearners(Net.PLAIN, "n4");
    net.tick("n4", 100);
    assertThat(net.core("n4").status().role()).isEqualTo(Role.LEARNER);
    net.core("n4").campaign();
    assertThat(net.core("n4").status().role()).isEqualTo(Role.LEARNER);
  }
}
