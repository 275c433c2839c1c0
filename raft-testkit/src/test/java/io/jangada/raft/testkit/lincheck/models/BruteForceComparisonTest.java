package io.jangada.raft.testkit.lincheck.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Model;
import io.jangada.raft.testkit.lincheck.Operation;
import io.jangada.raft.testkit.lincheck.Outcome;
import io.jangada.raft.testkit.lincheck.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The checker (with all its reductions) against the definition: on small random register histories
 * with arbitrary outputs, ok, fail and info outcomes, it must agree with a brute-force search over
 * every order of every subset of info operations.
 */
class BruteForceComparisonTest {
  private static final RegisterModel<Integer> MODEL = RegisterModel.create();

  @Test
  void agreesWithBruteForceOnSmallRandomHistories() {
    long seed = Long.getLong("lincheck.seed", 7L);
    SplittableRandom random = new SplittableRandom(seed);
    int linearizable = 0;
    int histories = 3000;
    for (int i = 0; i < histories; i++) {
      History<RegisterOp<Integer>, Reply<Integer>> history = randomHistory(random);
      boolean expected = bruteForce(history, MODEL);
      CheckResult<RegisterOp<Integer>, Reply<Integer>> result =
          LinearizabilityChecker.sequential().check(history, MODEL, Duration.ofSeconds(10));
      assertThat(result.verdict())
          .as("seed %d history %d: %s\n%s", seed, i, history, result.explanation())
          .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
      linearizable += expected ? 1 : 0;
    }
    // Both answers must be well represented, or the comparison proves little.
    assertThat(linearizable).as("seed %d", seed).isBetween(histories / 10, histories * 9 / 10);
  }

  @Test
  void agreesWithBruteForceOnSmallRandomMapHistories() {
    long seed = Long.getLong("lincheck.seed", 8L);
    SplittableRandom random = new SplittableRandom(seed);
    KvModel<String, Integer> model = KvModel.create();
    int linearizable = 0;
    int histories = 2000;
    for (int i = 0; i < histories; i++) {
      History<KvOp<String, Integer>, Reply<Integer>> history = randomMapHistory(random);
      boolean expected = true;
      for (String key : new String[] {"a", "b"}) {
        History.Builder<KvOp<String, Integer>, Reply<Integer>> part = History.builder();
        history.operations().stream().filter(op -> op.input().key().equals(key)).forEach(part::add);
        expected &= bruteForce(part.build(), model);
      }
      CheckResult<KvOp<String, Integer>, Reply<Integer>> result =
          LinearizabilityChecker.parallel(2).check(history, model, Duration.ofSeconds(10));
      assertThat(result.verdict())
          .as("seed %d history %d: %s\n%s", seed, i, history, result.explanation())
          .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
      linearizable += expected ? 1 : 0;
    }
    assertThat(linearizable).as("seed %d", seed).isBetween(histories / 10, histories * 9 / 10);
  }

  private static History<KvOp<String, Integer>, Reply<Integer>> randomMapHistory(
      SplittableRandom random) {
    History.Builder<KvOp<String, Integer>, Reply<Integer>> history = History.builder();
    int size = 2 + random.nextInt(8);
    for (int i = 0; i < size; i++) {
      long invoke = random.nextInt(20);
      long complete = invoke + random.nextInt(10);
      String key = random.nextInt(3) == 0 ? "b" : "a";
      int value = 1 + random.nextInt(2);
      int draw = random.nextInt(10);
      KvOp<String, Integer> input;
      Reply<Integer> output;
      if (draw < 3) {
        input = KvOp.get(key);
        int read = random.nextInt(3);
        output = read == 0 ? Reply.absent() : Reply.value(read);
      } else if (draw < 5) {
        input = KvOp.put(key, value);
        output = Reply.ack();
      } else if (draw < 6) {
        input = KvOp.delete(key);
        output = Reply.ack();
      } else if (draw < 8) {
        input = KvOp.cas(key, 1 + random.nextInt(2), value);
        output = Reply.applied(random.nextBoolean());
      } else {
        input = KvOp.create(key, value);
        output = Reply.applied(random.nextBoolean());
      }
      int status = random.nextInt(10);
      if (status < 7) {
        history.ok(i, invoke, complete, input, output);
      } else if (status < 9) {
        history.info(i, invoke, input);
      } else {
        history.fail(i, invoke, complete, input);
      }
    }
    return history.build();
  }

  private static History<RegisterOp<Integer>, Reply<Integer>> randomHistory(
      SplittableRandom random) {
    History.Builder<RegisterOp<Integer>, Reply<Integer>> history = History.builder();
    int size = 2 + random.nextInt(6);
    for (int i = 0; i < size; i++) {
      long invoke = random.nextInt(20);
      long complete = invoke + random.nextInt(10);
      int draw = random.nextInt(10);
      RegisterOp<Integer> input;
      Reply<Integer> output;
      if (draw < 4) {
        input = RegisterOp.read();
        int value = random.nextInt(4);
        output = value == 0 ? Reply.absent() : Reply.value(value);
      } else if (draw < 7) {
        input = RegisterOp.write(1 + random.nextInt(3));
        output = Reply.ack();
      } else {
        input = RegisterOp.cas(1 + random.nextInt(3), 1 + random.nextInt(3));
        output = Reply.applied(random.nextBoolean());
      }
      int status = random.nextInt(10);
      if (status < 7) {
        history.ok(i, invoke, complete, input, output);
      } else if (status < 9) {
        history.info(i, invoke, input);
      } else {
        history.fail(i, invoke, complete, input);
      }
    }
    return history.build();
  }

  /** Tries every order of the ok operations and every subset of info ones (no memo, no tricks). */
  private static <S, I, O> boolean bruteForce(History<I, O> history, Model<S, I, O> model) {
    List<Operation<I, O>> ops = new ArrayList<>();
    for (Operation<I, O> op : history.operations()) {
      if (!op.isFail()) {
        ops.add(op);
      }
    }
    return search(model, ops, new boolean[ops.size()], model.initialState());
  }

  private static <S, I, O> boolean search(
      Model<S, I, O> model, List<Operation<I, O>> ops, boolean[] used, S state) {
    boolean allOkUsed = true;
    for (int i = 0; i < ops.size(); i++) {
      allOkUsed &= used[i] || ops.get(i).isInfo();
    }
    if (allOkUsed) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      if (used[i] || !minimal(ops, used, i)) {
        continue;
      }
      Operation<I, O> op = ops.get(i);
      List<S> next = new ArrayList<>();
      if (op.isInfo()) {
        next.addAll(model.stepUnobserved(state, op.input()));
      } else {
        O output = ((Outcome.Ok<O>) op.outcome()).output();
        Optional<S> after = model.step(state, op.input(), output);
        after.ifPresent(next::add);
      }
      used[i] = true;
      for (S after : next) {
        if (search(model, ops, used, after)) {
          used[i] = false;
          return true;
        }
      }
      used[i] = false;
    }
    return false;
  }

  /** No unused operation completed before {@code candidate} was invoked. */
  private static <I, O> boolean minimal(List<Operation<I, O>> ops, boolean[] used, int candidate) {
    for (int j = 0; j < ops.size(); j++) {
      if (!used[j] && ops.get(j).completeTime() < ops.get(candidate).invokeTime()) {
        return false;
      }
    }
    return true;
  }
}
