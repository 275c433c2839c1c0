package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import org.junit.jupiter.api.Test;

/**
 * The status a driver reads after every batch of inputs: the shape stays the same object while only
 * indexes move (a commit, an acknowledgement), the indexes say where they are now, and both
 * together are the full status.
 */
class StatusShapeTest {

  private static RaftStatus full(RaftCore core) {
    RaftStatus shape = core.statusShape();
    long[] indexes = StatusIndexes.forShape(shape);
    core.statusIndexes(indexes);
    return StatusIndexes.apply(shape, indexes);
  }

  /** Three nodes, n1 elected and every message delivered. */
  private static Net clusterLedBy1() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.stabilize();
    return net;
  }

  @Test
  void onlyIndexesMoveWhileALeaderReplicates() {
    Net net = clusterLedBy1();
    RaftCore leader = net.core("n1");
    RaftCore follower = net.core("n2");
    RaftStatus leaderShape = leader.statusShape();
    RaftStatus followerShape = follower.statusShape();
    long[] leaderIndexes = StatusIndexes.forShape(leaderShape);
    leader.statusIndexes(leaderIndexes);
    long commitBefore = leaderIndexes[StatusIndexes.COMMIT];

    net.propose("n1", "x");
    net.stabilize();

    assertThat(leader.statusShape()).isSameAs(leaderShape);
    assertThat(follower.statusShape()).isSameAs(followerShape);
    assertThat(leader.statusIndexes(leaderIndexes)).isTrue();
    assertThat(leaderIndexes[StatusIndexes.COMMIT]).isEqualTo(commitBefore + 1);
    assertThat(leader.statusIndexes(leaderIndexes)).isFalse(); // nothing moved since
    assertThat(full(leader)).isEqualTo(leader.status());
    assertThat(full(follower)).isEqualTo(follower.status());
    assertThat(leader.status().commitIndex()).isEqualTo(commitBefore + 1);
    assertThat(full(leader).peers().values())
        .allSatisfy(p -> assertThat(p.matchIndex()).isEqualTo(commitBefore + 1));
  }

  @Test
  void aNewLeaderIsANewShape() {
    Net net = clusterLedBy1();
    RaftStatus before = net.core("n2").statusShape();
    net.elect("n2");
    net.stabilize();
    RaftStatus after = net.core("n2").statusShape();
    assertThat(after).isNotSameAs(before);
    assertThat(after.role()).isEqualTo(Role.LEADER);
    assertThat(after.peers()).hasSize(2);
    assertThat(full(net.core("n2"))).isEqualTo(net.core("n2").status());
    assertThat(net.core("n1").statusShape().role()).isEqualTo(Role.FOLLOWER);
  }

  @Test
  void indexesThatDoNotFitTheShapeAreRefused() {
    Net net = clusterLedBy1();
    RaftCore leader = net.core("n1");
    assertThatThrownBy(() -> leader.statusIndexes(new long[5]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StatusIndexes.apply(leader.statusShape(), new long[5]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(StatusIndexes.apply(leader.status(), StatusIndexes.of(leader.status())))
        .isEqualTo(leader.status());
  }
}
