package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TESTING.md tier T4: randomized deterministic simulations of 3- and 5-node clusters under message
 * loss, duplication, delay, reordering, partitions and crash-restarts with torn unsynced tails,
 * with the safety properties checked after every event and liveness checked at the end.
 *
 * <p>Simulated clients ({@link SimClients}) run register, read and compare-and-set operations with
 * sessions and retries throughout; at the end of each seed their history must be linearizable per
 * key, no acknowledged write may be lost and no command may take effect twice.
 *
 * <p>Half of the seeds (the even ones, see {@link #configureSnapshots}) take snapshots every 20..80
 * applied entries and compact their logs, so crashed or partitioned nodes catch up by
 * InstallSnapshot (single CRC32C-checked chunks through the same faulty network) and restart from
 * their newest snapshot plus the log tail; the invariants then read a node's compacted prefix from
 * its snapshot ({@link SimSnapshots}, {@link SimSnapshotTransfers}).
 *
 * <p>The default build runs 250 seeds per cluster size plus the pinned {@link #REGRESSION_SEEDS};
 * {@code -Psoak} runs 10,000 per size, and {@code -Dsim.count=N -Dsim.from=K} runs N seeds per size
 * starting at the K-th. {@code -Dsim.lease=true} turns half of the reads into lease reads, which
 * are only safe under the bounded-clock-drift assumption (ticks here drift by up to 10 %). To
 * replay one seed with its full event trace on stdout:
 *
 * <pre>
 * mvn -B -ntp -o -pl raft-core test -Dtest=SimulationTest -Dsim.seed=12345 -Dsim.nodes=3
 * </pre>
 */
class SimulationTest {

  private static final int TICKS = 400;

  /**
   * Seeds that once failed, run on every build: {cluster size, seed}. 894850, 1583803 and 1417506
   * acknowledged a client write at an index beyond the liveness phase's final entry (a checker bug:
   * the durability check now looks only at nodes that applied that far).
   */
  static final long[][] REGRESSION_SEEDS = {{3, 894850}, {3, 1583803}, {5, 1417506}};

  private static final AtomicLong HISTORIES = new AtomicLong();
  private static final AtomicLong OPERATIONS = new AtomicLong();
  private static final AtomicLong OK = new AtomicLong();
  private static final AtomicLong FAILED = new AtomicLong();
  private static final AtomicLong INFO = new AtomicLong();
  private static final AtomicLong RETRIES = new AtomicLong();
  private static final AtomicLong CHECK_MILLIS = new AtomicLong();
  private static final AtomicLong SNAPSHOT_SEEDS = new AtomicLong();
  private static final AtomicLong SNAPSHOTS_TAKEN = new AtomicLong();
  private static final AtomicLong SNAPSHOTS_ADOPTED = new AtomicLong();

  /**
   * Half of the seeds (the even ones) run with snapshots: every 20..80 applied entries, keeping
   * 0..20 entries behind each in the log, both drawn from the seed; the odd ones never compact.
   * {@code -Dsim.snapshots=all} or {@code none} turns them on or off for every seed.
   *
   * @return whether {@code cluster} takes snapshots
   */
  static boolean configureSnapshots(SimCluster cluster, long seed) {
    String mode = System.getProperty("sim.snapshots", "half");
    if (mode.equals("none") || (mode.equals("half") && Math.floorMod(seed, 2) != 0)) {
      return false;
    }
    SplittableRandom r = new SplittableRandom(seed ^ 0x5A95_5EEDL);
    cluster.withSnapshots(20 + r.nextInt(61), r.nextInt(21));
    return true;
  }

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
    for (long[] pinned : REGRESSION_SEEDS) {
      out.add(Arguments.of((int) pinned[0], pinned[1]));
    }
    int perSize =
        Integer.getInteger("sim.count", Boolean.getBoolean("jangada.soak") ? 10_000 : 250);
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
    boolean snapshots = configureSnapshots(cluster, seed);
    try {
      cluster.run(TICKS);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(failure(cluster, size, e), e);
    }
    if (snapshots) {
      SNAPSHOT_SEEDS.incrementAndGet();
      SNAPSHOTS_TAKEN.addAndGet(
          cluster.nodes.values().stream().mapToLong(n -> n.snapshots.taken).sum());
      SNAPSHOTS_ADOPTED.addAndGet(
          cluster.nodes.values().stream().mapToLong(n -> n.snapshots.adopted).sum());
    }
    SimClients.Summary clients = cluster.clientSummary();
    HISTORIES.incrementAndGet();
    OPERATIONS.addAndGet(clients.operations());
    OK.addAndGet(clients.ok());
    FAILED.addAndGet(clients.failed());
    INFO.addAndGet(clients.info());
    RETRIES.addAndGet(clients.retries());
    CHECK_MILLIS.addAndGet(clients.millis());
    assertThat(clients.ok()).as("seed %d: some client operation succeeded", seed).isPositive();
    assertThat(cluster.invariants.leaders())
        .as("seed %d: some leader was elected", seed)
        .isNotEmpty();
    assertThat(cluster.invariants.committedCount())
        .as("seed %d: something was committed", seed)
        .isPositive();
  }

  @AfterAll
  static void summary() {
    System.out.println(
        "SimulationTest: "
            + HISTORIES.get()
            + " client histories linearizable ("
            + OPERATIONS.get()
            + " operations: "
            + OK.get()
            + " ok, "
            + FAILED.get()
            + " fail, "
            + INFO.get()
            + " info; "
            + RETRIES.get()
            + " retries; checks took "
            + CHECK_MILLIS.get()
            + " ms in all); "
            + SNAPSHOT_SEEDS.get()
            + " seeds with snapshots ("
            + SNAPSHOTS_TAKEN.get()
            + " taken, "
            + SNAPSHOTS_ADOPTED.get()
            + " installed from a leader)");
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
