package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Raft paper Figure 7: whatever state a follower's log is in (missing entries, extra uncommitted
 * entries, or both), the leader of term 8 makes it identical to its own.
 */
class Figure7LogRepairTest {

  private static final long[] LEADER = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};

  private static long[] terms(String spaced) {
    String[] parts = spaced.trim().split(" ");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Long.parseLong(parts[i]);
    }
    return out;
  }

  /** The leader brings each Figure 7 follower log (a)–(f) in line with its own log. */
  @ParameterizedTest(name = "follower ({0})")
  @CsvSource({
    "a, 6, 1 1 1 4 4 5 5 6 6",
    "b, 4, 1 1 1 4",
    "c, 6, 1 1 1 4 4 5 5 6 6 6 6",
    "d, 7, 1 1 1 4 4 5 5 6 6 6 7 7",
    "e, 4, 1 1 1 4 4 4 4",
    "f, 3, 1 1 1 2 2 2 3 3 3 3 3"
  })
  void leaderRepairsFollowerLog(String name, long followerTerm, String followerLog) {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.preload("n1", 7, LEADER);
    net.preload("n3", 7, LEADER); // a voter that lets n1 win in term 8
    net.preload("n2", followerTerm, terms(followerLog));
    net.isolate("n2");
    net.elect("n1");
    assertThat(net.core("n1").status().term()).isEqualTo(8);
    net.heal();
    net.tickAll(3);
    assertThat(net.core("n1").status().role()).isEqualTo(Role.LEADER);
    assertThat(net.log("n2")).as("follower (%s)", name).isEqualTo(net.log("n1"));
    assertThat(net.log("n1")).hasSize(11).last().isEqualTo("11/8 NOOP");
    assertThat(net.core("n2").status().commitIndex()).isEqualTo(11);
  }
}
