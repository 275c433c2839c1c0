package io.jangada.raft.core;

/**
 * The four rules of Raft that its safety argument leans on hardest, gathered behind one seam so
 * that the checker self-test (TESTING.md tier T5) can inject a broken variant and prove the
 * simulation notices. Production code always uses {@link #RAFT}; only the package-private {@code
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
}
