package io.jangada.raft.examples.kv.server;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Map;
import java.util.Optional;

/** Statuses for the tests' fake nodes. */
final class TestStatuses {

  private TestStatuses() {}

  /** {@code self} leads a one-voter cluster in term 1, with an empty log. */
  static RaftStatus leaderAlone(NodeId self) {
    return new RaftStatus(
        self,
        Role.LEADER,
        1,
        Optional.of(self),
        0,
        0,
        1,
        0,
        0,
        Membership.ofVoters(self),
        0,
        Map.of());
  }
}
