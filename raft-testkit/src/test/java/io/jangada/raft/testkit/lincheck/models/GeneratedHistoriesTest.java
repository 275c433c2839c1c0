package io.jangada.raft.testkit.lincheck.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Model;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.HistoryGenerator.Mutation;
import io.jangada.raft.testkit.lincheck.models.HistoryGenerator.Op;
import io.jangada.raft.testkit.lincheck.models.HistoryGenerator.Shape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Over a thousand generated histories: histories of a simulated linearizable register or map must
 * check LINEARIZABLE; provably broken mutations of them must check NOT_LINEARIZABLE, on the mutated
 * key. Every test's name holds its seed; {@code -Dlincheck.seed=N} shifts the seed range.
 */
class GeneratedHistoriesTest {
  private static final long BASE_SEED = Long.getLong("lincheck.seed", 20261122L);
  private static final Duration BUDGET = Duration.ofSeconds(20);

  private static Shape shape(long seed, boolean kv) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    return new Shape(
        2 + random.nextInt(7), // 2..8 clients
        10 + random.nextInt(kv ? 200 : 140),
        kv ? 1 + random.nextInt(5) : 1,
        kv,
        random.nextInt(3) == 0 ? 0 : random.nextDouble(0.1),
        random.nextInt(3) == 0 ? 0 : random.nextDouble(0.1),
        5 + random.nextInt(40));
  }

  private static Stream<DynamicTest> seeds(long offset, int count, String name, Check check) {
    return LongStream.range(0, count)
        .map(i -> BASE_SEED + offset + i)
        .mapToObj(seed -> dynamicTest(name + " seed=" + seed, () -> check.run(seed)));
  }

  @FunctionalInterface
  private interface Check {
    void run(long seed);
  }

  @TestFactory
  Stream<DynamicTest> simulatedRegisterHistoriesAreLinearizable() {
    return seeds(
        0,
        400,
        "register",
        seed -> {
          List<Op> ops = HistoryGenerator.linearizable(seed, shape(seed, false));
          assertVerdict(
              seed,
              HistoryGenerator.toRegister(ops),
              RegisterModel.create(),
              Verdict.LINEARIZABLE,
              Optional.empty());
        });
  }

  @TestFactory
  Stream<DynamicTest> simulatedMapHistoriesAreLinearizable() {
    return seeds(
        100_000,
        250,
        "kv",
        seed -> {
          List<Op> ops = HistoryGenerator.linearizable(seed, shape(seed, true));
          assertVerdict(
              seed,
              HistoryGenerator.toKv(ops),
              KvModel.create(),
              Verdict.LINEARIZABLE,
              Optional.empty());
        });
  }

  @TestFactory
  Stream<DynamicTest> mutatedRegisterHistoriesAreNotLinearizable() {
    List<DynamicTest> tests = new ArrayList<>();
    int offset = 200_000;
    for (Mutation mutation : Mutation.values()) {
      seeds(
              offset,
              75,
              "register " + mutation,
              seed -> {
                List<Op> ops = mutated(seed, false, mutation);
                assertVerdict(
                    seed,
                    HistoryGenerator.toRegister(ops),
                    RegisterModel.create(),
                    Verdict.NOT_LINEARIZABLE,
                    Optional.of(Model.SINGLE_PARTITION));
              })
          .forEach(tests::add);
      offset += 1000;
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> mutatedMapHistoriesAreNotLinearizableOnTheMutatedKey() {
    List<DynamicTest> tests = new ArrayList<>();
    int offset = 300_000;
    for (Mutation mutation : Mutation.values()) {
      seeds(
              offset,
              50,
              "kv " + mutation,
              seed -> {
                List<Op> ops = new ArrayList<>();
                int key = mutatedInto(ops, seed, true, mutation);
                assertVerdict(
                    seed,
                    HistoryGenerator.toKv(ops),
                    KvModel.create(),
                    Verdict.NOT_LINEARIZABLE,
                    Optional.of(key));
              })
          .forEach(tests::add);
      offset += 1000;
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> parallelAndSequentialCheckersAgree() {
    return seeds(
        400_000,
        60,
        "kv parallel",
        seed -> {
          List<Op> ops = HistoryGenerator.linearizable(seed, shape(seed, true));
          boolean broken = seed % 2 == 0;
          if (broken) {
            HistoryGenerator.mutate(ops, Mutation.PHANTOM, seed);
          }
          History<KvOp<Integer, Integer>, Reply<Integer>> history = HistoryGenerator.toKv(ops);
          CheckResult<KvOp<Integer, Integer>, Reply<Integer>> parallel =
              LinearizabilityChecker.parallel(2)
                  .checkingEveryPartition()
                  .check(history, KvModel.create(), BUDGET);
          CheckResult<KvOp<Integer, Integer>, Reply<Integer>> sequential =
              LinearizabilityChecker.sequential()
                  .checkingEveryPartition()
                  .check(history, KvModel.create(), BUDGET);
          assertThat(parallel.partitions())
              .as("seed %d\n%s", seed, parallel.explanation())
              .extracting(CheckResult.PartitionResult::verdict)
              .containsExactlyElementsOf(
                  sequential.partitions().stream()
                      .map(CheckResult.PartitionResult::verdict)
                      .toList());
          assertThat(parallel.verdict())
              .as("seed %d", seed)
              .isEqualTo(broken ? Verdict.NOT_LINEARIZABLE : Verdict.LINEARIZABLE);
        });
  }

  @TestFactory
  Stream<DynamicTest> modelHintsDoNotChangeVerdicts() {
    Mutation[] mutations = Mutation.values();
    return seeds(
        500_000,
        100,
        "kv without hints",
        seed -> {
          List<Op> ops = new ArrayList<>();
          boolean broken = seed % 2 == 0;
          if (broken) {
            mutatedInto(ops, seed, true, mutations[(int) (seed / 2 % mutations.length)]);
          } else {
            ops.addAll(HistoryGenerator.linearizable(seed, shape(seed, true)));
          }
          History<KvOp<Integer, Integer>, Reply<Integer>> history = HistoryGenerator.toKv(ops);
          Verdict expected = broken ? Verdict.NOT_LINEARIZABLE : Verdict.LINEARIZABLE;
          assertVerdict(seed, history, KvModel.create(), expected, Optional.empty());
          assertVerdict(
              seed, history, new WithoutHints<>(KvModel.create()), expected, Optional.empty());
        });
  }

  /** A model that hides the read-only and overwrite hints, so the search uses no reduction. */
  private static final class WithoutHints<S, I, O> implements Model<S, I, O> {
    private final Model<S, I, O> model;

    WithoutHints(Model<S, I, O> model) {
      this.model = model;
    }

    @Override
    public S initialState() {
      return model.initialState();
    }

    @Override
    public Optional<S> step(S state, I input, O output) {
      return model.step(state, input, output);
    }

    @Override
    public List<S> stepUnobserved(S state, I input) {
      return model.stepUnobserved(state, input);
    }

    @Override
    public Object partition(I input) {
      return model.partition(input);
    }
  }

  private static List<Op> mutated(long seed, boolean kv, Mutation mutation) {
    List<Op> ops = new ArrayList<>();
    mutatedInto(ops, seed, kv, mutation);
    return ops;
  }

  /** Generates histories from seed-derived sub-seeds until the mutation applies to one. */
  private static int mutatedInto(List<Op> into, long seed, boolean kv, Mutation mutation) {
    for (int attempt = 0; attempt < 50; attempt++) {
      long subSeed = seed * 31 + attempt;
      List<Op> ops = HistoryGenerator.linearizable(subSeed, shape(subSeed, kv));
      Optional<Integer> key = HistoryGenerator.mutate(ops, mutation, subSeed);
      if (key.isPresent()) {
        into.addAll(ops);
        return key.get();
      }
    }
    throw new AssertionError("seed " + seed + ": no history allows " + mutation);
  }

  private static <S, I, O> void assertVerdict(
      long seed,
      History<I, O> history,
      Model<S, I, O> model,
      Verdict expected,
      Optional<Object> violatedPartition) {
    CheckResult<I, O> result = LinearizabilityChecker.sequential().check(history, model, BUDGET);
    assertThat(result.verdict())
        .as("seed %d (%d ops)\n%s", seed, history.size(), result.explanation())
        .isEqualTo(expected);
    violatedPartition.ifPresent(
        partition ->
            assertThat(result.violation().orElseThrow().partition())
                .as("seed %d\n%s", seed, result.explanation())
                .isEqualTo(partition));
  }
}
