package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Snapshots under mixed faults, seeded: frequent snapshots with a short trailing log, while nodes
 * crash and restart, partitions come and go and messages are dropped, so transfers break, restart
 * and race with leader changes. Afterwards every node must reach the same state, which contains
 * every acknowledged write exactly once, in the same order.
 */
class RaftNodeSnapshotChaosTest {

  private static final int SEEDS = Boolean.getBoolean("jangada.soak") ? 200 : 10;
  private static final long FIRST_SEED = Long.getLong("jangada.seed", 1);

  @Test
  void everyNodeConvergesWithEveryAcknowledgedWrite() {
    for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      run(seed);
    }
  }

  private static List<String> applied(InMemoryCluster cluster, NodeId id) {
    return ((RecordingStateMachine) cluster.stateMachine(id))
        .applied().stream().map(Bytes::toUtf8).collect(Collectors.toList());
  }

  private void run(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    try (InMemoryCluster cluster =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(seed)
            .customize(
                b -> b.snapshotThreshold(15).snapshotTrailingEntries(3).snapshotChunkBytes(48))
            .build()) {
      List<String> acknowledged = new ArrayList<>();
      List<CompletableFuture<Committed>> futures = new ArrayList<>();
      List<String> commands = new ArrayList<>();
      List<NodeId> ids = cluster.ids();
      NodeId down = null;
      for (int step = 0; step < 60; step++) {
        Optional<NodeId> leader = cluster.leader();
        if (leader.isPresent()) {
          for (int i = 0; i < 5; i++) {
            String command = "s" + seed + "-" + step + "-" + i;
            commands.add(command);
            futures.add(cluster.node(leader.get()).propose(Bytes.ofUtf8(command)));
          }
        }
        int fault = random.nextInt(10);
        NodeId target = ids.get(random.nextInt(ids.size()));
        if (fault == 0 && down == null) {
          cluster.crash(target);
          down = target;
        } else if (fault == 1 && down != null) {
          cluster.restart(down);
          down = null;
        } else if (fault == 2) {
          cluster.network().isolate(target);
        } else if (fault == 3) {
          cluster.network().heal();
        } else if (fault == 4) {
          cluster.network().dropRate(random.nextDouble() * 0.3);
        } else if (fault == 5) {
          cluster.network().dropRate(0);
        }
        cluster.advance(Duration.ofMillis(random.nextInt(10, 200)));
      }
      if (down != null) {
        cluster.restart(down);
      }
      cluster.network().heal();
      cluster.network().dropRate(0);
      cluster.awaitLeader(Duration.ofSeconds(30));
      // A final write by the settled leader makes every earlier committed entry reach everyone.
      String last = "s" + seed + "-final";
      cluster.await(
          cluster.node(cluster.awaitLeader()).propose(Bytes.ofUtf8(last)), Duration.ofSeconds(30));
      cluster.awaitCondition(
          () -> {
            List<String> first = applied(cluster, ids.get(0));
            return first.contains(last)
                && ids.stream().allMatch(id -> applied(cluster, id).equals(first));
          },
          Duration.ofSeconds(60),
          "seed " + seed + ": every node reaches the same state");
      for (int i = 0; i < futures.size(); i++) {
        CompletableFuture<Committed> f = futures.get(i);
        if (f.isDone() && !f.isCompletedExceptionally()) {
          acknowledged.add(commands.get(i));
        }
      }
      List<String> state = applied(cluster, ids.get(0));
      assertThat(state).as("seed %d: acknowledged writes", seed).containsAll(acknowledged);
      assertThat(state).as("seed %d: no duplicates", seed).doesNotHaveDuplicates();
      if (state.size() > 40) {
        for (NodeId id : ids) {
          assertThat(cluster.logStorage(id).firstIndex())
              .as(
                  "seed %d: the log of %s was compacted (%s, status %s)",
                  seed, id, cluster.logStorage(id), cluster.node(id).status())
              .isGreaterThan(1);
        }
      }
    }
  }
}
