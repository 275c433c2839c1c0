package io.jangada.raft.core;

import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.NodeId;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's side of configuration changes (thesis §4): checks and appends a proposed change
 * (single-server, or joint when more than one voter differs), leaves a joint configuration once it
 * commits (§4.3), and steps a leader down once its own removal commits (§4.2.2).
 *
 * <p>Thread: the core's. Pure: it reads the log view and the leader's progress, appends through the
 * leader and adds messages to the core's output list.
 */
final class Reconfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(Reconfiguration.class);

  private final NodeId id;
  private final RaftConfig config;
  private final RaftLog log;
  private final SafetyRules rules;
  private final Configurations configurations;
  private final List<Message> msgs;

  Reconfiguration(
      NodeId id,
      RaftConfig config,
      RaftLog log,
      SafetyRules rules,
      Configurations configurations,
      List<Message> msgs) {
    this.id = id;
    this.config = config;
    this.log = log;
    this.rules = rules;
    this.configurations = configurations;
    this.msgs = msgs;
  }

  /**
   * {@link RaftCore#proposeMembership(Membership, long)} on the leader {@code leader} of {@code
   * term}.
   */
  MembershipChange propose(Leader leader, long term, Membership target, long expectedIndex) {
    Membership membership = configurations.current();
    long membershipIndex = configurations.index();
    if (expectedIndex != RaftCore.ANY_CONFIGURATION && expectedIndex != membershipIndex) {
      return refuse(
          MembershipChange.Reason.STALE_CONFIGURATION,
          "expected the configuration at index "
              + expectedIndex
              + " but the one in force is at index "
              + membershipIndex
              + ": "
              + membership);
    }
    if (rules.changeInProgress(membership, membershipIndex, log.committed())) {
      return refuse(
          MembershipChange.Reason.CHANGE_IN_PROGRESS,
          "the configuration change at index "
              + membershipIndex
              + " ("
              + membership
              + ") has not completed yet");
    }
    if (!leader.committedCurrentTerm()) {
      // A leader must commit an entry of its term before changing the configuration, or a
      // single-server change could overlap with an uncommitted one of an earlier leader.
      return refuse(
          MembershipChange.Reason.LEADER_NOT_READY,
          "the leader has not committed an entry of its term yet; retry shortly");
    }
    if (leader.transferee().isPresent()) {
      return refuse(MembershipChange.Reason.LEADER_NOT_READY, "leadership transfer in progress");
    }
    if (target.isJoint() || target.isEmpty()) {
      return refuse(
          MembershipChange.Reason.INVALID,
          "the target must be a simple configuration with voters, not " + target);
    }
    if (target.equals(membership)) {
      return refuse(
          MembershipChange.Reason.INVALID, "the target is the configuration in force: " + target);
    }
    int changedVoters = 0;
    for (NodeId voter : target.voters()) {
      if (!membership.voters().contains(voter)) {
        changedVoters++;
        Optional<String> lagging = notCaughtUp(leader, voter, membership, membershipIndex);
        if (lagging.isPresent()) {
          return refuse(MembershipChange.Reason.NOT_CAUGHT_UP, lagging.get());
        }
      }
    }
    for (NodeId voter : membership.voters()) {
      if (!target.voters().contains(voter)) {
        changedVoters++;
      }
    }
    Membership next = changedVoters <= 1 ? target : membership.enterJoint(target);
    LogEntry entry = LogEntry.membership(log.lastIndex() + 1, term, next);
    leader.appendOwn(List.of(entry));
    configurations.appended(entry, next);
    LOG.debug("{} proposes configuration {} at {}", id, next, entry.index());
    return new MembershipChange.Accepted(entry.index(), term, next, target);
  }

  /**
   * After an input on the leader {@code leader} of {@code term}: once the configuration in force is
   * committed, leaves a joint configuration (thesis §4.3), or, if this leader is no longer a voter
   * (§4.2.2), sends TimeoutNow to the most up-to-date remaining voter and returns true: the caller
   * must then step down.
   */
  boolean afterCommit(Leader leader, long term) {
    Membership membership = configurations.current();
    if (log.committed() < configurations.index()) {
      return false;
    }
    if (membership.isJoint()) {
      Membership target = membership.target();
      LogEntry entry = LogEntry.membership(log.lastIndex() + 1, term, target);
      leader.appendOwn(List.of(entry));
      configurations.appended(entry, target);
      LOG.debug("{} leaves the joint configuration: {} at {}", id, target, entry.index());
      return false;
    }
    if (membership.isVoter(id)) {
      return false;
    }
    Optional<NodeId> successor = leader.mostUpToDateVoter();
    LOG.debug(
        "{} steps down: removed from the committed configuration {}; hands over to {}",
        id,
        membership,
        successor.orElse(null));
    successor.ifPresent(s -> msgs.add(new TimeoutNow(id, s, term)));
    return true;
  }

  /**
   * Why {@code voter}, which the proposed configuration makes a voter, may not become one yet
   * (thesis §4.2.1): it must be a member already (a learner, typically), its log at most {@link
   * RaftConfig#maxPromotionLag()} entries behind the leader's, the leader must have heard from it
   * within the election timeout (with CheckQuorum), and its log must hold the configuration in
   * force, so it knows the voters and answers their vote requests. Promoting a learner that has not
   * even received the entry adding it could leave a cluster that needs its vote with no leader: it
   * only learns the configuration from a leader. The check lives here, not in the driver, so that
   * every user of {@link RaftCore#proposeMembership} gets it.
   */
  private Optional<String> notCaughtUp(
      Leader leader, NodeId voter, Membership membership, long membershipIndex) {
    if (!membership.contains(voter)) {
      return Optional.of(voter + " is not a member; add it as a learner first and let it catch up");
    }
    if (voter.equals(id)) {
      return Optional.empty();
    }
    long lag = log.lastIndex() - leader.match(voter);
    if (lag > config.maxPromotionLag()) {
      return Optional.of(
          voter
              + " is "
              + lag
              + " entries behind the leader (at most "
              + config.maxPromotionLag()
              + " allowed); retry once it caught up");
    }
    Progress pr = leader.progress(voter);
    if (pr != null && (!pr.recentActive || pr.match() < membershipIndex)) {
      return Optional.of(
          voter
              + " has not caught up: it replicated up to index "
              + pr.match()
              + " (the configuration in force is at "
              + membershipIndex
              + ")"
              + (pr.recentActive ? "" : " and the leader has not heard from it recently")
              + "; retry once it caught up");
    }
    return Optional.empty();
  }

  private MembershipChange refuse(MembershipChange.Reason reason, String message) {
    LOG.debug("{} refuses a configuration change: {}", id, message);
    return new MembershipChange.Refused(reason, message);
  }
}
