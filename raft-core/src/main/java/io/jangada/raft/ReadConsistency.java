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
   * Linearizable under a clock assumption: the leader answers from its lease (it heard from a
   * quorum within the last election timeout, and CheckQuorum makes a deposed leader step down
   * within that time) without a quorum round trip. Safe only if clocks on all nodes advance at
   * about the same rate (bounded drift, no long process pauses such as GC stalls longer than the
   * election timeout); otherwise a deposed leader may serve a stale read. Falls back to {@link
   * #LINEARIZABLE} when no lease is held.
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
