package io.jangada.raft;

/** How fresh the data behind a {@link RaftNode#query} must be. */
public enum ReadConsistency {
  /**
   * Linearizable via ReadIndex (thesis §6.4): the leader confirms with a quorum that it still
   * leads, and the read waits until this node has applied up to the leader's commit index at the
   * time of the read. Sees every write that completed before the read started. Costs one round trip
   * to a quorum. The default.
   */
  LINEARIZABLE,
  /**
   * Linearizable under a clock assumption: the leader answers from its lease without a quorum round
   * trip. The lease lasts the election timeout minus {@code RaftConfig.leaseMarginTicks} from the
   * newest heartbeat a quorum acknowledged, and a voter that acknowledged it votes for no other
   * candidate for a full election timeout (CheckQuorum). Safe only if the nodes' tick rates differ
   * by no more than that margin covers (by default 10 %; see {@code
   * RaftConfig.leaseMarginTicksFor}); otherwise a deposed leader may serve a stale read. A process
   * pause (GC stall, SIGSTOP) is not drift: a node counts ticks by its scheduler's clock and
   * delivers the ticks it missed before it checks its lease; a restarted voter keeps its promise
   * for an election timeout after start. A pause the clock does not see (a suspended machine) is
   * drift. Falls back to {@link #LINEARIZABLE} when no lease is held.
   */
  LEASE,
  /**
   * Whatever this node has applied, without contacting anyone. Fast and available during
   * partitions, but may return stale data and is not linearizable. A follower learns a new commit
   * index with the leader's next AppendRequest or heartbeat (a commit advance alone sends no
   * message), so on an idle cluster a follower's state lags the leader's by up to one heartbeat
   * interval ({@code tickInterval} × {@code heartbeatTicks}) even without faults.
   */
  STALE
}
