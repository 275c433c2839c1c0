package io.jangada.raft.testkit.lincheck.models;

import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.HistoryGenerator.Shape;
import java.time.Duration;
import java.util.List;

/**
 * Measures the checker on large generated histories and prints one line per run. Not a test: run it
 * with {@code java -cp target/classes:target/test-classes
 * io.jangada.raft.testkit.lincheck.models.CheckerBenchmark [seed]}.
 */
public final class CheckerBenchmark {
  private CheckerBenchmark() {}

  /** Runs the benchmark; the optional argument is the seed. */
  public static void main(String[] args) {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : 1L;
    // Warm up the JIT on a mid-sized history.
    for (int i = 0; i < 5; i++) {
      run("warmup", seed + i, new Shape(8, 10_000, 1, false, 0.0, 0.02, 30), false);
    }
    for (int clients : new int[] {5, 8, 10}) {
      for (double info : new double[] {0.0, 0.005, 0.01, 0.02}) {
        run("register", seed, new Shape(clients, 10_000, 1, false, info, 0.02, 30), true);
      }
    }
    run("register", seed, new Shape(8, 50_000, 1, false, 0.0, 0.02, 30), true);
    run("kv 10 keys", seed, new Shape(8, 100_000, 10, true, 0.0, 0.02, 30), true);
    run("kv 10 keys", seed, new Shape(8, 100_000, 10, true, 0.005, 0.02, 30), true);
  }

  static Duration run(String name, long seed, Shape shape, boolean print) {
    List<HistoryGenerator.Op> ops = HistoryGenerator.linearizable(seed, shape);
    History<?, ?> history;
    CheckResult<?, ?> result;
    long start = System.nanoTime();
    if (shape.kv()) {
      History<KvOp<Integer, Integer>, Reply<Integer>> kv = HistoryGenerator.toKv(ops);
      history = kv;
      start = System.nanoTime();
      result =
          LinearizabilityChecker.parallel(2).check(kv, KvModel.create(), Duration.ofSeconds(30));
    } else {
      History<RegisterOp<Integer>, Reply<Integer>> register = HistoryGenerator.toRegister(ops);
      history = register;
      start = System.nanoTime();
      result =
          LinearizabilityChecker.sequential()
              .check(register, RegisterModel.create(), Duration.ofSeconds(30));
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
      throw new AssertionError("seed " + seed + ": " + result.explanation());
    }
    if (print) {
      long states = 0;
      for (CheckResult.PartitionResult<?, ?> partition : result.partitions()) {
        states += partition.statesExplored();
      }
      System.out.printf(
          "%-11s ops=%-6d clients=%-2d keys=%-2d info=%.3f fail=%.2f -> %s in %4d ms (%d states)%n",
          name,
          history.size(),
          shape.clients(),
          shape.keys(),
          shape.infoRate(),
          shape.failRate(),
          result.verdict(),
          elapsed.toMillis(),
          states);
    }
    return elapsed;
  }
}
