package io.jangada.raft.grpc;

import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.testing.RecordingStateMachine;
import java.time.Duration;

/** Node builders for this module's tests: in-memory storages, a recording state machine. */
final class TestNodes {

  private TestNodes() {}

  /**
   * A builder for node {@code id} of {@code membership} on {@code transport}, ticking every {@code
   * tick}; the caller may set more (config, random) before building.
   */
  static RaftNode.Builder inMemory(
      NodeId id, Membership membership, GrpcTransport transport, Duration tick) {
    return RaftNode.builder()
        .id(id)
        .membership(membership)
        .stateMachine(new RecordingStateMachine())
        .logStorage(new InMemoryLogStorage())
        .stateStorage(new InMemoryStateStorage())
        .snapshotStorage(new InMemorySnapshotStorage())
        .transport(transport)
        .tickInterval(tick);
  }
}
