package io.jangada.raft.core;

import io.jangada.raft.model.NodeId;
import java.util.TreeMap;

/** The votes (or pre-votes) a campaign collected; the first answer of each node wins. */
final class VoteTally {

  private final TreeMap<NodeId, Boolean> votes = new TreeMap<>();

  void reset() {
    votes.clear();
  }

  /**
   * Records {@code voter}'s answer (a repeated answer is ignored) and tallies the campaign with
   * {@code quorum}, which ignores answers of non-voters.
   */
  Quorum.VoteResult record(NodeId voter, boolean granted, Quorum quorum) {
    votes.putIfAbsent(voter, granted);
    return quorum.voteResult(votes);
  }
}
