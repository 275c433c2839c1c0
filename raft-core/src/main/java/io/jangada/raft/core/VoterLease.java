package io.jangada.raft.core;

import io.jangada.raft.model.HardState;

/**
 * The voter's side of leader leases (thesis §4.2.3 and §6.4.1): while it holds, the node ignores
 * vote and pre-vote requests of a higher term, except those of a leadership-transfer campaign.
 *
 * <p>It holds, with CheckQuorum on, while this node leads or heard from a leader fewer than {@code
 * electionTicks} of its own ticks ago: a voter that acknowledged a heartbeat thereby promised not
 * to help elect another leader for that long, and the leader answers lease reads on that promise.
 *
 * <p>That promise lives in memory, so a restart would forget it and the node could vote at once
 * while the old leader still answers from its lease. A node opened from a hard state with a term
 * (it may have acknowledged a leader before it stopped) whose configuration allows lease reads
 * (CheckQuorum on, {@code leaseMarginTicks < electionTicks}) therefore also holds for its first
 * {@code electionTicks} ticks after opening, as if it had heard from a leader just then. A whole
 * cluster restarting at once still elects a leader: no node campaigns before its randomized
 * election timeout, at least {@code electionTicks} ticks, has passed.
 *
 * <p>Pure: a function of the configuration, the hard state at open and the ticks the core counted.
 */
final class VoterLease {

  private final RaftConfig config;
  // The promise kept across a restart: the lease holds while fewer ticks passed since open.
  private final long heldAfterOpenTicks;

  VoterLease(RaftConfig config, HardState opened, SafetyRules rules) {
    this.config = config;
    boolean leaseReads = config.checkQuorum() && config.leaseMarginTicks() < config.electionTicks();
    boolean promised = leaseReads && opened.term() > 0 && rules.voterLeaseSurvivesRestart();
    this.heldAfterOpenTicks = promised ? config.electionTicks() : 0;
  }

  /**
   * Whether the node must ignore a higher-term vote request that does not come from a transfer.
   *
   * @param leaderKnown whether the node knows a leader of its term
   * @param leading whether it is that leader
   * @param electionElapsed the ticks since it last heard from the leader
   * @param ticksSinceOpen the ticks the core counted since it was opened
   */
  boolean holds(boolean leaderKnown, boolean leading, int electionElapsed, long ticksSinceOpen) {
    if (!config.checkQuorum()) {
      return false;
    }
    return leaderKnown && (leading || electionElapsed < config.electionTicks())
        || ticksSinceOpen < heldAfterOpenTicks;
  }
}
