package io.jangada.raft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.InMemoryCluster;
import org.junit.jupiter.api.Test;

/**
 * The KV store relies on the library's sessions, which live in the library's part of every
 * snapshot: after every node restarts from a snapshot that covers the original request (its log
 * entry compacted away), a retry under the same idempotency key (a named session) is still
 * recognised on another node and not applied again.
 */
class KvSnapshotSessionTest {

  private static Bytes utf8(String s) {
    return Bytes.ofUtf8(s);
  }

  private static Bytes put(String key, String value) {
    return KvCodec.encode(new KvCommand.Put(utf8(key), utf8(value)));
  }

  @Test
  void aRetryAfterRestartFromSnapshotIsStillDeduplicated() {
    try (InMemoryCluster cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(77)
            .stateMachines(id -> new KvStateMachine())
            .customize(b -> b.snapshotThreshold(20).snapshotTrailingEntries(5))
            .build()) {
      NodeId leaderId = cluster.awaitLeader();
      RaftNode leader = cluster.node(leaderId);
      long session = cluster.await(leader.openSession("idem:client-1"));
      Committed original =
          cluster.await(leader.propose(put("k", "first"), new SessionInfo(session, 1, 1)));
      for (int i = 0; i < 60; i++) {
        cluster.await(leader.propose(put("other" + i, "v")));
      }
      cluster.awaitCondition(
          () ->
              cluster.ids().stream()
                  .allMatch(id -> cluster.logStorage(id).firstIndex() > original.index()),
          java.time.Duration.ofSeconds(10),
          "every node compacts the session's entries into a snapshot");

      for (NodeId id : cluster.ids()) {
        cluster.crash(id);
      }
      for (NodeId id : cluster.ids()) {
        cluster.restart(id);
        assertThat(cluster.node(id).status().snapshotIndex())
            .as("%s restarts from a snapshot", id)
            .isGreaterThan(original.index());
      }

      NodeId newLeaderId = cluster.awaitLeader();
      NodeId other =
          cluster.ids().stream().filter(id -> !id.equals(newLeaderId)).findFirst().orElseThrow();
      RaftNode retryNode = cluster.node(other);
      long resumed = cluster.await(retryNode.openSession("idem:client-1"));
      assertThat(resumed).as("the name finds the same session").isEqualTo(session);
      Committed retry =
          cluster.await(retryNode.propose(put("k", "second"), new SessionInfo(resumed, 1, 1)));
      assertThat(retry.index()).isGreaterThan(original.index());
      assertThat(KvCodec.decodeResult(retry.result()))
          .as("the retry gets the original result")
          .isEqualTo(KvCodec.decodeResult(original.result()));
      Bytes value =
          cluster.await(
              cluster.node(newLeaderId).query(KvCodec.encode(new KvQuery.Get(utf8("k")))));
      assertThat(KvCodec.decodeResult(value))
          .as("the retry was not applied again")
          .isEqualTo(new KvResult.Value(utf8("first")));
    }
  }
}
