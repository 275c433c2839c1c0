package io.jangada.raft.core;

/**
 * TEST SEAM, not a feature: a deliberately wrong rule that the checker self-test (TESTING.md tier
 * T5) plants in a {@link RaftCore} to prove the simulation's checkers catch it. Only the
 * package-private {@code RaftCore.open(..., PlantedBug)} overload takes one; the public API always
 * uses {@link #NONE}, so production code never switches any of these on.
 */
enum PlantedBug {
  /** The correct algorithm. */
  NONE,
  /** A leader commits an entry of an earlier term once a majority holds it (breaks §5.4.2). */
  COMMIT_PREVIOUS_TERM_BY_COUNTING,
  /** A new leader answers ReadIndex before its no-op committed (breaks thesis §6.4 step 1). */
  READ_INDEX_BEFORE_NOOP_COMMITS,
  /** A node that receives a pre-vote request adopts its (not yet campaigned) term. */
  PREVOTE_CHANGES_TERM,
  /** A follower appends after prevLogIndex without checking prevLogTerm (breaks Fig. 2). */
  ACCEPT_MISMATCHED_PREV_LOG_TERM
}
