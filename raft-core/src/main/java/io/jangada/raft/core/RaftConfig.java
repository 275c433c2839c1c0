package io.jangada.raft.core;

/**
 * Tuning of the pure core, in ticks and bytes. The record only validates; defaults live in the
 * {@link Builder}.
 *
 * @param electionTicks base election timeout; a follower campaigns after a random timeout in {@code
 *     [electionTicks, 2 * electionTicks)} ticks without hearing from a leader
 * @param heartbeatTicks a leader sends heartbeats every this many ticks; must be smaller than
 *     {@code electionTicks}
 * @param preVote whether to run a PreVote round before a real election (thesis §9.6)
 * @param checkQuorum whether a leader steps down when it has not heard from a quorum within an
 *     election timeout, and followers that heard from a leader recently ignore vote requests
 * @param maxInflightAppends how many AppendRequests may be outstanding to one follower (pipelining)
 * @param maxAppendEntries most entries in one AppendRequest
 * @param maxAppendBytes most entry bytes in one AppendRequest (at least one entry is always sent)
 * @param maxUncommittedBytes a leader drops proposals while the bytes of its uncommitted entries
 *     exceed this (backpressure); {@code Long.MAX_VALUE} for no limit
 * @param maxCommittedBytesPerReady most entry bytes handed out for applying in one Ready
 * @param maxPromotionLag a learner (or new member) becomes a voter only if its log is at most this
 *     many entries behind the leader's (thesis §4.2.1); otherwise the change is refused with {@link
 *     MembershipChange.Reason#NOT_CAUGHT_UP}. {@code Long.MAX_VALUE} turns this check off (a
 *     promoted node must still hold the configuration in force and have answered the leader
 *     recently; see {@link RaftCore#proposeMembership(io.jangada.raft.model.Membership, long)}).
 * @param leaseMarginTicks how many ticks before a voter could have timed out a leader's lease ends
 *     (thesis §6.4.1: the lease is the election timeout minus a clock-drift bound). A leader
 *     answers a lease read only while a quorum acknowledged a heartbeat it sent fewer than {@code
 *     electionTicks - leaseMarginTicks} of its own ticks ago; a voter that acknowledged it refuses
 *     votes for {@code electionTicks} of its own ticks. Lease reads are linearizable only if no
 *     voter's clock runs fast enough to tick {@code electionTicks} times while the leader ticks
 *     {@code electionTicks - leaseMarginTicks} times: with clocks whose rates differ by at most a
 *     factor {@code 1 + d}, that needs {@code (electionTicks - leaseMarginTicks) * (1 + d) <=
 *     electionTicks - 1} (the 1 is for the ticks' unaligned phases; see {@link
 *     #leaseMarginTicksFor}). From 1 to {@code electionTicks}; {@code electionTicks} means a lease
 *     is never held and lease reads always take a ReadIndex round. The default is {@code
 *     leaseMarginTicksFor(electionTicks, 10)}: rates differing by up to 10 % (2 ticks for the
 *     default 10-tick election timeout). A driver must deliver the ticks a process pause delayed
 *     before it asks for a lease read ({@code RaftNode} counts ticks by its scheduler's clock), and
 *     with CheckQuorum and a margin below {@code electionTicks} a voter opened from a hard state
 *     with a term refuses votes for its first {@code electionTicks} ticks, since it may have
 *     acknowledged a leader just before it stopped.
 */
public record RaftConfig(
    int electionTicks,
    int heartbeatTicks,
    boolean preVote,
    boolean checkQuorum,
    int maxInflightAppends,
    int maxAppendEntries,
    long maxAppendBytes,
    long maxUncommittedBytes,
    long maxCommittedBytesPerReady,
    long maxPromotionLag,
    int leaseMarginTicks) {

  /**
   * @throws IllegalArgumentException naming the setting to fix
   */
  public RaftConfig {
    if (heartbeatTicks < 1) {
      throw new IllegalArgumentException("heartbeatTicks must be >= 1, got " + heartbeatTicks);
    }
    if (electionTicks <= heartbeatTicks) {
      throw new IllegalArgumentException(
          "electionTicks ("
              + electionTicks
              + ") must be greater than heartbeatTicks ("
              + heartbeatTicks
              + "); a typical choice is electionTicks = 10 * heartbeatTicks");
    }
    if (maxInflightAppends < 1) {
      throw new IllegalArgumentException(
          "maxInflightAppends must be >= 1, got " + maxInflightAppends);
    }
    if (maxAppendEntries < 1) {
      throw new IllegalArgumentException("maxAppendEntries must be >= 1, got " + maxAppendEntries);
    }
    if (maxAppendBytes < 1) {
      throw new IllegalArgumentException("maxAppendBytes must be >= 1, got " + maxAppendBytes);
    }
    if (maxUncommittedBytes < 1) {
      throw new IllegalArgumentException(
          "maxUncommittedBytes must be >= 1, got " + maxUncommittedBytes);
    }
    if (maxCommittedBytesPerReady < 1) {
      throw new IllegalArgumentException(
          "maxCommittedBytesPerReady must be >= 1, got " + maxCommittedBytesPerReady);
    }
    if (maxPromotionLag < 0) {
      throw new IllegalArgumentException("maxPromotionLag must be >= 0, got " + maxPromotionLag);
    }
    if (leaseMarginTicks < 1 || leaseMarginTicks > electionTicks) {
      throw new IllegalArgumentException(
          "leaseMarginTicks must be from 1 (ticks of different nodes are not in phase) to"
              + " electionTicks ("
              + electionTicks
              + "), got "
              + leaseMarginTicks
              + "; leaseMarginTicksFor(electionTicks, driftPercent) gives the margin for a clock"
              + " drift bound");
    }
  }

  /**
   * The smallest lease margin that keeps lease reads linearizable when the tick rates of any two
   * nodes differ by at most {@code driftPercent} % (a voter's clock runs at most {@code 1 +
   * driftPercent / 100} times as fast as the leader's), including the up to one tick by which
   * unaligned tick phases shift a count: {@code electionTicks - floor((electionTicks - 1) * 100 /
   * (100 + driftPercent))}. Equal to {@code electionTicks} (no lease) when the timeout is too short
   * for the bound.
   *
   * @throws IllegalArgumentException if {@code electionTicks < 1} or {@code driftPercent < 0}
   */
  public static int leaseMarginTicksFor(int electionTicks, int driftPercent) {
    if (electionTicks < 1 || driftPercent < 0) {
      throw new IllegalArgumentException(
          "need electionTicks >= 1 and driftPercent >= 0, got "
              + electionTicks
              + " and "
              + driftPercent);
    }
    long lease = (electionTicks - 1L) * 100 / (100 + driftPercent);
    return (int) (electionTicks - lease);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this configuration. */
  public Builder toBuilder() {
    return new Builder()
        .electionTicks(electionTicks)
        .heartbeatTicks(heartbeatTicks)
        .preVote(preVote)
        .checkQuorum(checkQuorum)
        .maxInflightAppends(maxInflightAppends)
        .maxAppendEntries(maxAppendEntries)
        .maxAppendBytes(maxAppendBytes)
        .maxUncommittedBytes(maxUncommittedBytes)
        .maxCommittedBytesPerReady(maxCommittedBytesPerReady)
        .maxPromotionLag(maxPromotionLag)
        .leaseMarginTicksIfNotDefault(leaseMarginTicks, electionTicks);
  }

  /** Builds a {@link RaftConfig}; not thread-safe. */
  public static final class Builder {
    public static final int DEFAULT_ELECTION_TICKS = 10;
    public static final int DEFAULT_HEARTBEAT_TICKS = 1;
    public static final int DEFAULT_MAX_INFLIGHT_APPENDS = 256;
    public static final int DEFAULT_MAX_APPEND_ENTRIES = 4096;
    public static final long DEFAULT_MAX_APPEND_BYTES = 1L << 20;
    public static final long DEFAULT_MAX_UNCOMMITTED_BYTES = 64L << 20;
    public static final long DEFAULT_MAX_COMMITTED_BYTES_PER_READY = 4L << 20;
    public static final long DEFAULT_MAX_PROMOTION_LAG = 1000;

    /** The drift bound behind the default lease margin: tick rates differ by at most 10 %. */
    public static final int DEFAULT_LEASE_DRIFT_PERCENT = 10;

    private int electionTicks = DEFAULT_ELECTION_TICKS;
    private int heartbeatTicks = DEFAULT_HEARTBEAT_TICKS;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private int maxInflightAppends = DEFAULT_MAX_INFLIGHT_APPENDS;
    private int maxAppendEntries = DEFAULT_MAX_APPEND_ENTRIES;
    private long maxAppendBytes = DEFAULT_MAX_APPEND_BYTES;
    private long maxUncommittedBytes = DEFAULT_MAX_UNCOMMITTED_BYTES;
    private long maxCommittedBytesPerReady = DEFAULT_MAX_COMMITTED_BYTES_PER_READY;
    private long maxPromotionLag = DEFAULT_MAX_PROMOTION_LAG;
    private int leaseMarginTicks;
    // Unset: derived from electionTicks when built (see leaseMarginTicks).
    private boolean leaseMarginTicksSet;

    private Builder() {}

    public Builder electionTicks(int value) {
      this.electionTicks = value;
      return this;
    }

    public Builder heartbeatTicks(int value) {
      this.heartbeatTicks = value;
      return this;
    }

    public Builder preVote(boolean value) {
      this.preVote = value;
      return this;
    }

    public Builder checkQuorum(boolean value) {
      this.checkQuorum = value;
      return this;
    }

    public Builder maxInflightAppends(int value) {
      this.maxInflightAppends = value;
      return this;
    }

    public Builder maxAppendEntries(int value) {
      this.maxAppendEntries = value;
      return this;
    }

    public Builder maxAppendBytes(long value) {
      this.maxAppendBytes = value;
      return this;
    }

    public Builder maxUncommittedBytes(long value) {
      this.maxUncommittedBytes = value;
      return this;
    }

    public Builder maxCommittedBytesPerReady(long value) {
      this.maxCommittedBytesPerReady = value;
      return this;
    }

    /** See {@link RaftConfig#maxPromotionLag()}; default {@value #DEFAULT_MAX_PROMOTION_LAG}. */
    public Builder maxPromotionLag(long value) {
      this.maxPromotionLag = value;
      return this;
    }

    /**
     * See {@link RaftConfig#leaseMarginTicks()}; default {@code leaseMarginTicksFor(electionTicks,
     * DEFAULT_LEASE_DRIFT_PERCENT)}, computed from the election timeout when built. {@link
     * RaftConfig#toBuilder()} carries a margin over only if it differs from that default, so
     * changing {@code electionTicks} afterwards moves a default margin with it.
     */
    public Builder leaseMarginTicks(int value) {
      this.leaseMarginTicks = value;
      this.leaseMarginTicksSet = true;
      return this;
    }

    private Builder leaseMarginTicksIfNotDefault(int value, int forElectionTicks) {
      return value == leaseMarginTicksFor(forElectionTicks, DEFAULT_LEASE_DRIFT_PERCENT)
          ? this
          : leaseMarginTicks(value);
    }

    /**
     * @throws IllegalArgumentException if the settings are inconsistent, naming what to fix
     */
    public RaftConfig build() {
      return new RaftConfig(
          electionTicks,
          heartbeatTicks,
          preVote,
          checkQuorum,
          maxInflightAppends,
          maxAppendEntries,
          maxAppendBytes,
          maxUncommittedBytes,
          maxCommittedBytesPerReady,
          maxPromotionLag,
          leaseMarginTicksSet
              ? leaseMarginTicks
              : leaseMarginTicksFor(Math.max(1, electionTicks), DEFAULT_LEASE_DRIFT_PERCENT));
    }
  }
}
