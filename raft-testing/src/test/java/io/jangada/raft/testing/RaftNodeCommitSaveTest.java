package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node saves its commit index (after the entries it covers are synced) once it moved by 1,024,
 * and also about once per election timeout when it moved less: on an idle cluster after a few
 * writes every node's state file knows the commit index soon, so a node restarted with a damaged
 * log tail below it knows it lost synced entries ({@code LostTail}) instead of only warning about a
 * torn tail.
 */
class RaftNodeCommitSaveTest {

  private InMemoryCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anIdleClusterSavesItsCommitIndexWithinTwoElectionTimeouts() {
    cluster = InMemoryCluster.builder().nodes(3).seed(7).build();
    RaftNode leader = cluster.node(cluster.awaitLeader());
    Committed last = null;
    for (int i = 0; i < 5; i++) {
      last = cluster.await(leader.propose(Bytes.ofUtf8("put " + i)));
    }
    long commit = last.index();
    // Every node knows the commit index after the next heartbeat (it moved by far less than
    // 1,024, so no save is due for that reason).
    cluster.awaitCondition(
        () ->
            cluster.ids().stream()
                .allMatch(id -> cluster.node(id).status().commitIndex() >= commit),
        Duration.ofSeconds(5),
        "every node knows commit " + commit);

    // Two election timeouts (10 ticks of 50 ms by default), with nothing written meanwhile.
    cluster.advance(Duration.ofSeconds(1));
    cluster.awaitCondition(
        () -> cluster.ids().stream().allMatch(id -> savedCommit(id) >= commit),
        Duration.ofSeconds(1),
        "every node saves commit " + commit);
    for (NodeId id : cluster.ids()) {
      assertThat(savedCommit(id))
          .as("saved commit of %s", id)
          .isLessThanOrEqualTo(cluster.logStorage(id).lastIndex());
    }
  }

  private long savedCommit(NodeId id) {
    return cluster.stateStorage(id).load().commit();
  }
}
