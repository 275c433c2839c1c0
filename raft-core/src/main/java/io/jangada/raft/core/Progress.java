package io.jangada.raft.core;

/**
 * A leader's view of one follower's replication (etcd's Progress). All state transitions live here.
 *
 * <ul>
 *   <li>{@code PROBE}: the leader does not know where the follower's log matches; at most one
 *       AppendRequest is in flight until the follower answers (or a heartbeat response arrives).
 *   <li>{@code REPLICATE}: the logs match up to {@code match}; the leader streams entries,
 *       advancing {@code next} optimistically, with at most {@code maxInflightAppends} requests in
 *       flight.
 *   <li>{@code SNAPSHOT}: the follower needs entries that were compacted; nothing is sent until a
 *       snapshot is reported done.
 * </ul>
 */
final class Progress {

  enum State {
    PROBE("probe"),
    REPLICATE("replicate"),
    SNAPSHOT("snapshot");

    /** The name in status reports (built once: the status is read on every loop round). */
    final String label;

    State(String label) {
      this.label = label;
    }
  }

  // Invariant: match < next.
  private long match;
  private long next;
  private State state = State.PROBE;
  // In PROBE: a probe was sent and not yet answered.
  private boolean probeSent;
  private final Inflights inflights;
  // In REPLICATE: the tick since which the follower has shown no progress while appends are in
  // flight (its match last advanced, an append left with nothing else in flight, or the last stall
  // probe). Only differences to the leader's tick count matter.
  private long quietSince;
  // The match when the previous heartbeat response arrived (MAX_VALUE: none yet).
  private long matchAtHeartbeat = Long.MAX_VALUE;

  // Heard from within the current check-quorum window.
  boolean recentActive = true;
  // The highest read round the follower echoed.
  long ackedRound;
  // The tick at which the newest heartbeat the follower acknowledged was sent (lease reads).
  long ackedSentTick = Long.MIN_VALUE / 2;
  // The highest commit index a message sent to the follower lets it adopt (if delivered).
  long commitSent;
  // A read the follower forwarded was answered with this index: it must learn a commit index at
  // least this high as soon as it holds the entries up to it (0: no such read).
  long commitOwed;

  Progress(long next, int maxInflight) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  long match() {
    return match;
  }

  long next() {
    return next;
  }

  State state() {
    return state;
  }

  boolean isPaused() {
    switch (state) {
      case PROBE:
        return probeSent;
      case REPLICATE:
        return inflights.full();
      default:
        return true;
    }
  }

  void becomeProbe() {
    state = State.PROBE;
    next = match + 1;
    probeSent = false;
    inflights.reset();
  }

  /** Back to probing from {@code newNext}, clamped to {@code (match, ...]}. */
  void probeFrom(long newNext) {
    state = State.PROBE;
    next = Math.max(match + 1, newNext);
    probeSent = false;
    inflights.reset();
  }

  /**
   * The follower's log ends at {@code last}, below the match it acknowledged: it lost entries it
   * had synced (a cut tail, a restored backup). Its match drops to what it still holds and probing
   * starts right after it, so the gap is sent again and the leader never counts the lost copies.
   */
  void regressTo(long last) {
    match = Math.min(match, last);
    state = State.PROBE;
    next = last + 1;
    probeSent = false;
    inflights.reset();
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    probeSent = false;
    inflights.reset();
  }

  void becomeSnapshot() {
    state = State.SNAPSHOT;
    probeSent = false;
    inflights.reset();
  }

  /**
   * A successful AppendResponse for {@code index}, received at tick {@code now}; returns whether
   * match advanced.
   */
  boolean maybeUpdate(long index, long now) {
    probeSent = false;
    if (index > match) {
      match = index;
      quietSince = now;
      next = Math.max(next, index + 1);
      inflights.freeLE(index);
      return true;
    }
    return false;
  }

  /**
   * Records that an AppendRequest ending at {@code lastIndex} with {@code count} entries went out
   * at tick {@code now}.
   */
  void sent(long lastIndex, int count, long now) {
    if (state == State.REPLICATE) {
      if (count > 0) {
        if (inflights.count() == 0) {
          quietSince = now;
        }
        next = lastIndex + 1;
        inflights.add(lastIndex);
      }
    } else if (state == State.PROBE) {
      probeSent = true;
    }
  }

  /** In PROBE: counts a probe as sent without sending one, so the next goes after a heartbeat. */
  void probeSent() {
    if (state == State.PROBE) {
      probeSent = true;
    }
  }

  /** How many AppendRequests with entries are in flight (always 0 outside REPLICATE). */
  int inflightCount() {
    return inflights.count();
  }

  /**
   * A heartbeat response arrived at tick {@code now}. Returns whether the follower, in REPLICATE
   * with appends in flight, shows no progress: its match did not advance since its previous
   * heartbeat response (if it sent one to this leader) and it acknowledged nothing for at least
   * {@code ticks} ticks. One of those appends may have been lost, and nothing after it would reveal
   * the gap if no more entries are sent. Under load acknowledgements arrive between any two
   * heartbeat responses, so this stays false.
   */
  boolean stalledAtHeartbeat(long now, int ticks) {
    boolean noProgress = match <= matchAtHeartbeat;
    matchAtHeartbeat = match;
    return noProgress
        && state == State.REPLICATE
        && inflights.count() > 0
        && now - quietSince >= ticks;
  }

  /** A request that reveals a lost append went out at {@code now}: the next waits as long again. */
  void stallProbed(long now) {
    quietSince = now;
  }

  /** A heartbeat response shows the follower is alive: let one more request through. */
  void heartbeatAnswered() {
    if (state == State.PROBE) {
      probeSent = false;
    } else if (state == State.REPLICATE && inflights.full()) {
      inflights.freeFirstOne();
    }
  }

  String stateName() {
    return state.label;
  }

  @Override
  public String toString() {
    return stateName() + " match=" + match + " next=" + next + " inflight=" + inflights.count();
  }
}
