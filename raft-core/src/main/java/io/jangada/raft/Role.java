package io.jangada.raft;

/** What a node currently does in the cluster. */
public enum Role {
  /** Follows a leader (or waits for one). */
  FOLLOWER,
  /** Probing with PreVote whether it could win an election, without changing its term. */
  PRE_CANDIDATE,
  /** Campaigning in a new term. */
  CANDIDATE,
  /** Leads the current term. */
  LEADER,
  /** Receives the log but never votes or campaigns. */
  LEARNER
}
