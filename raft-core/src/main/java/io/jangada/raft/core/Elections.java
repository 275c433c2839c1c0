package io.jangada.raft.core;

import io.jangada.raft.Role;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.Message.VoteResponse;
import io.jangada.raft.model.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election as one node takes part in it (Raft §5.2, thesis §3.4, §4.2.2, §4.2.3 and §9.6):
 * the randomized election timer, who may campaign, the votes and pre-votes this node grants, and
 * the campaigns it runs and counts.
 *
 * <p>The core keeps the persistent vote state (term and vote) and the role, and changes them on
 * what this class answers: the term a campaign runs in, a vote granted, a campaign won or lost.
 * Requests and answers go to the core's output list. Thread: the core's. Pure: randomness comes
 * only from the core's generator, drawn once per timer reset.
 */
final class Elections {

  private static final Logger LOG = LoggerFactory.getLogger(Elections.class);

  private final NodeId id;
  private final RaftConfig config;
  private final RandomGenerator random;
  private final RaftLog log;
  private final SafetyRules rules;
  private final Configurations configurations;
  // Whether the storage lost synced entries: this node then neither votes nor campaigns.
  private final LostTail lostTail;
  // When this node ignores vote requests for a leader's lease, also just after a restart.
  private final VoterLease voterLease;
  private final List<Message> msgs;

  private final VoteTally votes = new VoteTally();

  // The highest term of a vote request ignored as from a non-voter with an older log (thesis
  // §4.2.3, Configurations.admits), not persisted. Such a candidate still moves the terms of the
  // nodes that hear it and takes their votes; campaigning above its term keeps this node from
  // asking for votes in a term they already gave away. Without it a demoted voter that keeps
  // campaigning (thesis §4.2.2) could start each term just before the up-to-date node and
  // block every election (3-node seeds 761235612658 and 761246841800 elected no leader).
  private long ignoredCandidateTerm;
  // The term a pre-candidate asked pre-votes for.
  private long preVoteTerm;

  private int electionElapsed;
  private int randomizedElectionTimeout;

  Elections(
      NodeId id,
      RaftConfig config,
      RaftLog log,
      SafetyRules rules,
      Configurations configurations,
      LostTail lostTail,
      HardState opened,
      RandomGenerator random,
      List<Message> msgs) {
    this.id = id;
    this.config = config;
    this.log = log;
    this.rules = rules;
    this.configurations = configurations;
    this.lostTail = lostTail;
    this.voterLease = new VoterLease(config, opened, rules);
    this.random = random;
    this.msgs = msgs;
  }

  // ---------------------------------------------------------------- the election timer

  /** Restarts the timer with a new randomized timeout in [electionTicks, 2 * electionTicks). */
  void resetTimer() {
    electionElapsed = 0;
    randomizedElectionTimeout = config.electionTicks() + random.nextInt(config.electionTicks());
  }

  /** Restarts the timer, keeping its timeout: a leader was heard, or a vote granted. */
  void restartTimer() {
    electionElapsed = 0;
  }

  /** One tick of a node that does not lead. */
  void tick() {
    electionElapsed++;
  }

  /** Whether the election timeout elapsed since the timer last restarted. */
  boolean timedOut() {
    return electionElapsed >= randomizedElectionTimeout;
  }

  /**
   * Whether this node may campaign: it is a voter in the configuration in force, or (thesis §4.2.2)
   * that configuration is not committed yet and this node was a voter in the one before, since it
   * may still be needed until the new one commits; it then does not count its own vote.
   */
  boolean promotable() {
    return configurations.mayCampaign(id) && !lostTail.catchingUp();
  }

  /**
   * Whether to ignore {@code v}, a request of a term above ours (thesis §4.2.3 / etcd): a node that
   * heard from a live leader within the election timeout (or restarted within it: {@link
   * VoterLease}) ignores vote requests, unless from a transfer.
   *
   * @param leaderId the leader this node knows in its term
   * @param leading whether this node is that leader
   * @param ticks the ticks the core counted since it opened
   */
  boolean leaseIgnores(VoteRequest v, Optional<NodeId> leaderId, boolean leading, long ticks) {
    if (voterLease.holds(leaderId.isPresent(), leading, electionElapsed, ticks) && !v.transfer()) {
      LOG.debug("{} ignores {}: a lease holds (leader {})", id, Describe.lazy(v), leaderId);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- campaigns

  /**
   * {@code v} was ignored as from a non-voter with an older log ({@link Configurations#admits}): a
   * (non-pre-)vote request moves this node's next campaign past its term.
   */
  void ignored(VoteRequest v) {
    if (!v.preVote()) {
      ignoredCandidateTerm = Math.max(ignoredCandidateTerm, v.term());
    }
  }

  /**
   * The term of this node's next campaign from {@code term}: the next one, or past the term of a
   * candidate this node ignored (see {@link #ignoredCandidateTerm}). Any higher term is as safe as
   * the next one.
   */
  long nextCampaignTerm(long term) {
    return Math.max(term, ignoredCandidateTerm) + 1;
  }

  /**
   * Starts asking for pre-votes (thesis §9.6) for the next campaign from {@code term}: restarts the
   * timer with a new timeout and counts this node's own pre-vote.
   *
   * @return whether that pre-vote alone wins; otherwise the other voters of {@code membership} are
   *     asked
   */
  boolean preCampaign(long term, Membership membership) {
    preVoteTerm = nextCampaignTerm(term);
    return askForVotes(preVoteTerm, true, false, membership);
  }

  /**
   * Starts the campaign of {@code term}, in which this node just voted for itself: restarts the
   * timer with a new timeout and counts that vote.
   *
   * @param transfer whether a leadership transfer asked for it (voters then skip their lease check)
   * @return whether that vote alone wins; otherwise the other voters of {@code membership} are
   *     asked
   */
  boolean campaign(long term, boolean transfer, Membership membership) {
    return askForVotes(term, false, transfer, membership);
  }

  /**
   * A (pre-)campaign of {@code term} begins: restarts the timer with a new timeout, counts this
   * node's own (pre-)vote and, unless that alone wins, asks every other voter of {@code
   * membership}.
   */
  private boolean askForVotes(long term, boolean preVote, boolean transfer, Membership membership) {
    votes.reset();
    resetTimer();
    if (votes.record(id, true, rules.quorum(membership, id)) == Quorum.VoteResult.WON) {
      return true;
    }
    for (NodeId voter : membership.allVoters()) {
      if (!voter.equals(id)) {
        msgs.add(
            new VoteRequest(id, voter, term, log.lastIndex(), log.lastTerm(), preVote, transfer));
      }
    }
    return false;
  }

  /** Forgets the votes of a campaign that ended (won, lost or overtaken). */
  void endCampaign() {
    votes.reset();
  }

  /**
   * Counts {@code r} towards the campaign this node runs in {@code role}: a pre-vote answers in the
   * term asked for if granted and in the voter's term otherwise; only voters of {@code membership}
   * count.
   *
   * @return the campaign's result; {@link Quorum.VoteResult#PENDING} also for an answer that does
   *     not count
   */
  Quorum.VoteResult count(VoteResponse r, Role role, long term, Membership membership) {
    boolean counts =
        role == Role.PRE_CANDIDATE
            ? r.preVote() && r.term() == (r.granted() ? preVoteTerm : term)
            : role == Role.CANDIDATE && !r.preVote() && r.term() == term;
    if (!counts || !membership.isVoter(r.from())) {
      return Quorum.VoteResult.PENDING;
    }
    return votes.record(r.from(), r.granted(), rules.quorum(membership, id));
  }

  // ---------------------------------------------------------------- votes

  /**
   * Answers {@code v}, a vote or pre-vote request of {@code term} or, for a pre-vote, above it
   * (Raft Fig. 2 RequestVote, §5.4.1 up-to-date check).
   *
   * @param votedFor this node's vote in {@code term}
   * @param leaderId the leader this node knows in {@code term}
   * @return whether this node now votes for the candidate: the core records it as its vote
   */
  boolean answer(
      VoteRequest v, long term, Optional<NodeId> votedFor, Role role, Optional<NodeId> leaderId) {
    boolean canVote =
        votedFor.equals(Optional.of(v.from()))
            || (votedFor.isEmpty() && leaderId.isEmpty())
            || (v.preVote() && v.term() > term);
    // A node that is not a voter in its own configuration still answers (as etcd's learners do):
    // its log may lag behind a configuration that made it a voter; the candidate counts the vote
    // only if it is a voter in the candidate's configuration.
    // A node that lost synced entries abstains until refilled (see LostTail).
    boolean grant =
        canVote && !lostTail.catchingUp() && log.isUpToDate(v.lastLogIndex(), v.lastLogTerm());
    if (grant) {
      // A granted pre-vote answers in the term the pre-candidate would campaign in.
      msgs.add(new VoteResponse(id, v.from(), v.term(), v.preVote(), true));
      if (!v.preVote()) {
        electionElapsed = 0;
        return true;
      }
      return false;
    }
    msgs.add(new VoteResponse(id, v.from(), term, v.preVote(), false));
    if (!v.preVote()
        && role != Role.LEADER
        && leaderId.isEmpty()
        && !canVote
        && log.isUpToDate(v.lastLogIndex(), v.lastLogTerm())) {
      // Our vote in this term is gone (to ourselves or another) but this candidate's log is at
      // least as up to date as ours: let it campaign first in the next term. Otherwise a node
      // that cannot win (its log or its configuration outdated), campaigning just before it,
      // would start each term first and take its own vote again (3-node seeds 761336841235
      // and 761297380858 elected no leader after healing).
      electionElapsed = 0;
    }
    return false;
  }
}
