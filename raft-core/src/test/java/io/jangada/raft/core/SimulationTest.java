package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TESTING.md tier T4: randomized deterministic simulations of 3- and 5-node clusters under message
 * loss, duplication, delay, reordering, partitions and crash-restarts with torn unsynced tails,
 * with the safety properties checked after every event and liveness checked at the end.
 *
 * <p>The default build runs 250 seeds per cluster size; {@code -Psoak} runs 5,000 per size, and
 * {@code -Dsim.count=N -Dsim.from=K} runs N seeds per size starting at the K-th. {@code
 * -Dsim.lease=true} turns half of the reads into lease reads, which are only safe under the
 * bounded-clock-drift assumption (ticks here drift by up to 10 %). To replay one seed with its full
 * event trace on stdout:
 *
 * <pre>
 * mvn -B -ntp -o -pl raft-core test -Dtest=SimulationTest -Dsim.seed=12345 -Dsim.nodes=3
 * </pre>
 */
class SimulationTest {

  private static final int TICKS = 400;

  static Stream<Arguments> seeds() {
    String one = System.getProperty("sim.seed", "");
    List<Arguments> out = new ArrayList<>();
    if (!one.isBlank()) {
      String nodes = System.getProperty("sim.nodes", "");
      for (int size : new int[] {3, 5}) {
        if (nodes.isBlank() || Integer.parseInt(nodes) == size) {
          out.add(Arguments.of(size, Long.parseLong(one.trim())));
        }
      }
      return out.stream();
    }
    int perSize = Integer.getInteger("sim.count", Boolean.getBoolean("jangada.soak") ? 5_000 : 250);
    long from = Long.getLong("sim.from", 1);
    for (int size : new int[] {3, 5}) {
      for (long seed = from; seed < from + perSize; seed++) {
        out.add(Arguments.of(size, seed * 7919 + size));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} nodes, seed {1}")
  @MethodSource("seeds")
  void safetyAndLivenessHoldUnderFaults(int size, long seed) {
    boolean verbose = !System.getProperty("sim.seed", "").isBlank();
    SimCluster cluster =
        SimCluster.withSeed(seed, size, SimNode.Bug.NONE, verbose ? System.out::println : l -> {});
    try {
      cluster.run(TICKS);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(failure(cluster, size, e), e);
    }
    assertThat(cluster.invariants.leaders())
        .as("seed %d: some leader was elected", seed)
        .isNotEmpty();
    assertThat(cluster.invariants.committedCount())
        .as("seed %d: something was committed", seed)
        .isPositive();
  }

  static String failure(SimCluster cluster, int size, Throwable e) {
    return "simulation seed "
        + cluster.seed
        + " ("
        + size
        + " nodes) failed after "
        + cluster.events
        + " events: "
        + e
        + "\nreplay: mvn -B -ntp -o -pl raft-core test -Dtest=SimulationTest -Dsim.seed="
        + cluster.seed
        + " -Dsim.nodes="
        + size
        + "\nstatus: "
        + cluster.statusLine()
        + "\nlast events:\n"
        + cluster.traceTail();
  }
}
