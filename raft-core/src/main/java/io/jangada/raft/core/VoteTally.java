package io.jangada.raft.core;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Map;
import java.util.TreeMap;

/** The votes (or pre-votes) a campaign collected; only voters count, first answer wins. */
final class VoteTally {

  enum Result {
    WON,
    LOST,
    PENDING
  }

  private final TreeMap<NodeId, Boolean> votes = new TreeMap<>();

  void reset() {
    votes.clear();
  }

  /** Records {@code voter}'s answer (a repeated answer is ignored) and tallies the campaign. */
  Result record(NodeId voter, boolean granted, Membership membership) {
    votes.putIfAbsent(voter, granted);
    int yes = 0;
    int no = 0;
    for (Map.Entry<NodeId, Boolean> e : votes.entrySet()) {
      if (membership.isVoter(e.getKey())) {
        if (e.getValue()) {
          yes++;
        } else {
          no++;
        }
      }
    }
    int quorum = membership.quorumSize();
    if (yes >= quorum) {
      return Result.WON;
    }
    return no > membership.voters().size() - quorum ? Result.LOST : Result.PENDING;
  }
}
