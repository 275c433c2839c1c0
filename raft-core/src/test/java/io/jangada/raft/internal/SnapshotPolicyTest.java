package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.NodeId;
import java.util.HashSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The per-node jitter of the snapshot thresholds. */
class SnapshotPolicyTest {

  private static SortedSet<NodeId> members(String... ids) {
    SortedSet<NodeId> members = new TreeSet<>();
    for (String id : ids) {
      members.add(NodeId.of(id));
    }
    return members;
  }

  @Test
  void membersAreSpreadEvenlyBelowTheThresholdsByRank() {
    SnapshotPolicy policy = new SnapshotPolicy(100_000, 64L << 20, 1_000, 1 << 20, 4, 0.25);
    SortedSet<NodeId> members = members("n3", "n1", "n4", "n2");

    long[] expected = {100_000, 93_750, 87_500, 81_250};
    for (int i = 0; i < 4; i++) {
      SnapshotPolicy p = policy.forNode(NodeId.of("n" + (i + 1)), members);
      assertThat(p.threshold()).as("n%d", i + 1).isEqualTo(expected[i]);
      assertThat(p.thresholdBytes()).as("n%d", i + 1).isEqualTo((64L << 20) / 16 * (16 - i));
      assertThat(p.jitter()).isZero();
      assertThat(p.trailingEntries()).isEqualTo(1_000);
      assertThat(p.chunkBytes()).isEqualTo(1 << 20);
      assertThat(p.window()).isEqualTo(4);
    }
    // Deterministic: the same inputs give the same policy.
    assertThat(policy.forNode(NodeId.of("n3"), members))
        .isEqualTo(policy.forNode(NodeId.of("n3"), members));
  }

  @Test
  void dueFollowsTheNodesLoweredThreshold() {
    SnapshotPolicy n3 =
        new SnapshotPolicy(100, 0, 0, 64, 1, 0.5).forNode(NodeId.of("c"), members("a", "b", "c"));
    assertThat(n3.due(66, 0)).isFalse();
    assertThat(n3.due(67, 0)).isTrue();
  }

  @Test
  void zeroJitterKeepsTheExactThresholds() {
    SnapshotPolicy policy = new SnapshotPolicy(100, 1_000, 10, 64, 2);
    assertThat(policy.jitter()).isZero();
    assertThat(policy.forNode(NodeId.of("n3"), members("n1", "n2", "n3"))).isEqualTo(policy);
  }

  @Test
  void aNonMemberTakesAShareFromItsIdWithinTheRange() {
    SnapshotPolicy policy = new SnapshotPolicy(1_000_000, 0, 0, 64, 1, 0.5);
    Set<Long> thresholds = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      long t = policy.forNode(NodeId.of("joiner-" + i), members("n1", "n2", "n3")).threshold();
      assertThat(t).isBetween(500_001L, 1_000_000L);
      thresholds.add(t);
    }
    assertThat(thresholds).hasSizeGreaterThan(45);
    assertThat(policy.forNode(NodeId.of("joiner-7"), members("n1")))
        .isEqualTo(policy.forNode(NodeId.of("joiner-7"), members("n1", "n2")));
  }

  @Test
  void disabledTriggersStayDisabled() {
    SnapshotPolicy n2 =
        new SnapshotPolicy(0, 0, 0, 64, 1, 0.9).forNode(NodeId.of("n2"), members("n1", "n2"));
    assertThat(n2.due(Long.MAX_VALUE, Long.MAX_VALUE)).isFalse();
  }

  @Test
  void jitterMustBeAFractionBelowOne() {
    assertThatThrownBy(() -> new SnapshotPolicy(1, 1, 1, 1, 1, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jitter");
    assertThatThrownBy(() -> new SnapshotPolicy(1, 1, 1, 1, 1, -0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SnapshotPolicy(1, 1, 1, 1, 1, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
