package io.jangada.raft.testing;

import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemoryStateStorage;

/** Builders for a node that is the only voter of its cluster, for the lifecycle tests. */
final class OneVoter {

  private OneVoter() {}

  /**
   * A builder for {@code id}, the only voter, with a recording state machine and fresh in-memory
   * storages; the caller adds the transport and whatever else the test needs.
   */
  static RaftNode.Builder inMemory(NodeId id) {
    return RaftNode.builder()
        .id(id)
        .membership(Membership.ofVoters(id))
        .stateMachine(new RecordingStateMachine())
        .logStorage(new InMemoryLogStorage())
        .stateStorage(new InMemoryStateStorage());
  }
}
