package io.jangada.raft.core;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;

/**
 * The rules of Raft that its safety argument leans on hardest, gathered behind one seam so that the
 * checker self-test (TESTING.md tier T5) can inject a broken variant and prove the simulation
 * notices. Production code always uses {@link #RAFT}; only the package-private {@code
 * RaftCore.open(..., SafetyRules)} overload takes another, and no broken variant exists outside the
 * test sources.
 *
 * <p>Implementations must be pure functions of their arguments: the core stays deterministic.
 */
interface SafetyRules {

  /** The rules as the Raft paper and Ongaro's thesis state them. */
  SafetyRules RAFT = new SafetyRules() {};

  /**
   * Raft §5.4.2 (Figure 8): a leader commits by counting replicas only an entry of its own term;
   * earlier entries commit indirectly, with it.
   */
  default boolean commitsByCounting(long entryTerm, long leaderTerm) {
    return entryTerm == leaderTerm;
  }

  /**
   * Thesis §6.4 step 1: a new leader answers ReadIndex only after an entry of its term (its no-op)
   * committed, since before that it may not know the latest commit index.
   */
  default boolean readIndexWaitsForCurrentTermCommit() {
    return true;
  }

  /**
   * Thesis §6.4.1 with §3.10: voters skip their lease check for a leadership-transfer campaign, so
   * a leader's lease ends once it sent TimeoutNow (the target may win at once); it then answers
   * lease reads through ReadIndex for the rest of its term.
   */
  default boolean leaseEndsWithTransfer() {
    return true;
  }

  /**
   * Thesis §6.4.1: a voter's promise not to help elect another leader for an election timeout after
   * it acknowledged a heartbeat outlives a restart; {@link VoterLease} keeps it by holding for the
   * first {@code electionTicks} ticks after opening. Read once, when the core opens.
   */
  default boolean voterLeaseSurvivesRestart() {
    return true;
  }

  /** Thesis §9.6: a pre-vote request never moves the receiver's term. */
  default boolean preVoteKeepsTerm() {
    return true;
  }

  /**
   * Raft Figure 2, AppendEntries step 2: a follower accepts entries only if its log holds {@code
   * prevIndex} with {@code prevTerm}.
   */
  default boolean logMatches(RaftLog log, long prevIndex, long prevTerm) {
    return log.matchTerm(prevIndex, prevTerm);
  }

  /**
   * Thesis §4.3 and §4.2.2: the quorum that {@code self} counts in {@code membership}, as a leader
   * or a candidate: a majority of the voters, and during a joint change also a majority of the
   * outgoing voters; a leader that is not a voter never counts itself.
   */
  default Quorum quorum(Membership membership, NodeId self) {
    return Quorum.of(membership);
  }

  /**
   * Thesis §4.1: a leader accepts a configuration change only while no other is uncommitted (and no
   * joint configuration is still to be left).
   *
   * @param inForce the configuration in force
   * @param inForceIndex the index of its entry (0: from the snapshot or open)
   * @param commitIndex the leader's commit index
   */
  default boolean changeInProgress(Membership inForce, long inForceIndex, long commitIndex) {
    return inForceIndex > commitIndex || inForce.isJoint();
  }

  /**
   * Thesis §4.1: a server uses the newest configuration in its log, committed or not. Returns the
   * last index whose configuration entries count: the last index of the log.
   */
  default long configurationLimit(RaftLog log) {
    return log.lastIndex();
  }

  /**
   * The leader's own match index in commit decisions: the last index the driver reported durable
   * ({@link RaftCore#advance}), never one only handed to storage.
   */
  default long leaderOwnMatch(RaftLog log) {
    return log.stableLastIndex();
  }
}
