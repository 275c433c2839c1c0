package io.jangada.raft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.InMemoryCluster;
import org.junit.jupiter.api.Test;

/**
 * The KV store's client sessions live in its snapshots: after every node restarts from a snapshot
 * that covers the original request (its log entry compacted away), a retry of that request is still
 * recognised and not applied again.
 */
class KvSnapshotSessionTest {

  private static Bytes utf8(String s) {
    return Bytes.ofUtf8(s);
  }

  private static Bytes put(String key, String value, ClientSession session) {
    KvCommand.Put command = new KvCommand.Put(utf8(key), utf8(value));
    return KvCodec.encode(session == null ? KvRequest.of(command) : KvRequest.of(command, session));
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
      ClientSession session = new ClientSession(utf8("client-1"), 1);
      RaftNode leader = cluster.node(cluster.awaitLeader());
      Committed original = cluster.await(leader.propose(put("k", "first", session)));
      for (int i = 0; i < 60; i++) {
        cluster.await(leader.propose(put("other" + i, "v", null)));
      }
      cluster.awaitCondition(
          () ->
              cluster.ids().stream()
                  .allMatch(id -> cluster.logStorage(id).firstIndex() > original.index()),
          java.time.Duration.ofSeconds(10),
          "every node compacts the session's entry into a snapshot");

      for (NodeId id : cluster.ids()) {
        cluster.crash(id);
      }
      for (NodeId id : cluster.ids()) {
        cluster.restart(id);
        assertThat(cluster.node(id).status().snapshotIndex())
            .as("%s restarts from a snapshot", id)
            .isGreaterThan(original.index());
      }

      RaftNode newLeader = cluster.node(cluster.awaitLeader());
      Committed retry = cluster.await(newLeader.propose(put("k", "second", session)));
      assertThat(retry.index()).isGreaterThan(original.index());
      assertThat(KvCodec.decodeResult(retry.result()))
          .as("the retry gets the original result")
          .isEqualTo(KvCodec.decodeResult(original.result()));
      Bytes value = cluster.await(newLeader.query(KvCodec.encode(new KvQuery.Get(utf8("k")))));
      assertThat(KvCodec.decodeResult(value))
          .as("the retry was not applied again")
          .isEqualTo(new KvResult.Value(utf8("first")));
    }
  }
}
