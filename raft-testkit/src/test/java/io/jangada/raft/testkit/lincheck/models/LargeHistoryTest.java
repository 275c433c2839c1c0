package io.jangada.raft.testkit.lincheck.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.HistoryGenerator.Shape;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Large single-key histories (10,000 operations, 5 to 10 clients) must be decided, not time out.
 * The time is printed, never asserted: {@link CheckerBenchmark} measures it properly.
 */
class LargeHistoryTest {

  @ParameterizedTest(name = "seed={0} clients={1} info={2}")
  @CsvSource({"11, 8, 0.0", "12, 5, 0.0", "13, 10, 0.0", "14, 8, 0.005"})
  void tenThousandOperationsOnOneKeyAreDecided(long seed, int clients, double infoRate) {
    History<RegisterOp<Integer>, Reply<Integer>> history =
        HistoryGenerator.toRegister(
            HistoryGenerator.linearizable(
                seed, new Shape(clients, 10_000, 1, false, infoRate, 0.02, 30)));
    long start = System.nanoTime();
    CheckResult<RegisterOp<Integer>, Reply<Integer>> result =
        LinearizabilityChecker.sequential()
            .check(history, RegisterModel.create(), Duration.ofSeconds(60));
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "LargeHistoryTest seed=%d clients=%d info=%.3f: %d ops -> %s in %d ms (%d states)%n",
        seed,
        clients,
        infoRate,
        history.size(),
        result.verdict(),
        millis,
        result.partitions().get(0).statesExplored());
    assertThat(result.verdict())
        .as("seed %d\n%s", seed, result.explanation())
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @ParameterizedTest(name = "seed={0}")
  @CsvSource({"21", "22"})
  void aStaleReadInTenThousandOperationsIsFound(long seed) {
    java.util.List<HistoryGenerator.Op> ops =
        HistoryGenerator.linearizable(seed, new Shape(8, 10_000, 1, false, 0.0, 0.02, 30));
    assertThat(HistoryGenerator.mutate(ops, HistoryGenerator.Mutation.STALE, seed))
        .as("seed %d", seed)
        .isPresent();
    History<RegisterOp<Integer>, Reply<Integer>> history = HistoryGenerator.toRegister(ops);
    long start = System.nanoTime();
    CheckResult<RegisterOp<Integer>, Reply<Integer>> result =
        LinearizabilityChecker.sequential()
            .check(history, RegisterModel.create(), Duration.ofSeconds(60));
    System.out.printf(
        "LargeHistoryTest stale read seed=%d: %d ops -> %s in %d ms%n",
        seed, history.size(), result.verdict(), (System.nanoTime() - start) / 1_000_000);
    assertThat(result.verdict())
        .as("seed %d\n%s", seed, result.explanation())
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }
}
