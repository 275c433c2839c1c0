package io.jangada.raft.testkit.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The checker itself: budget, fail/info handling, partitions, with a custom model. */
class LinearizabilityCheckerTest {
  private static final Duration BUDGET = Duration.ofSeconds(10);
  private static final CounterModel COUNTER = new CounterModel();

  private static History.Builder<String, Long> history() {
    return History.builder();
  }

  private static Verdict verdict(History.Builder<String, Long> history) {
    CheckResult<String, Long> result =
        LinearizabilityChecker.sequential().check(history.build(), COUNTER, BUDGET);
    return result.verdict();
  }

  @Test
  void anIncrementObservedTwiceIsADuplicateApply() {
    assertThat(verdict(history().ok(1, 0, 10, "incr", 0L).ok(2, 20, 30, "read", 1L)))
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(history().ok(1, 0, 10, "incr", 0L).ok(2, 20, 30, "read", 2L)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void infoIncrementsAreAppliedAtMostOnceEach() {
    History.Builder<String, Long> history =
        history().ok(1, 0, 10, "incr", 0L).info(2, 5, "incr").info(3, 6, "incr");
    assertThat(verdict(history.ok(4, 20, 30, "read", 3L))).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(
            verdict(
                history()
                    .ok(1, 0, 10, "incr", 0L)
                    .info(2, 5, "incr")
                    .info(3, 6, "incr")
                    .ok(4, 20, 30, "read", 4L)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(
            verdict(
                history()
                    .ok(1, 0, 10, "incr", 0L)
                    .info(2, 5, "incr")
                    .ok(4, 20, 30, "read", 2L)
                    .ok(4, 40, 50, "read", 1L)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void failedIncrementsNeverCount() {
    assertThat(verdict(history().fail(1, 0, 10, "incr").ok(2, 20, 30, "read", 0L)))
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(verdict(history().fail(1, 0, 10, "incr").ok(2, 20, 30, "read", 1L)))
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void anExhaustedBudgetIsUnknownNeverAPass() {
    History.Builder<String, Long> history = history();
    for (int i = 0; i < 100; i++) {
      history.ok(i, 0, 1000, "incr", 0L);
    }
    CheckResult<String, Long> result =
        LinearizabilityChecker.sequential().check(history.build(), COUNTER, Duration.ZERO);
    assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(result.isLinearizable()).isFalse();
    assertThat(result.explanation()).contains("time budget exhausted");
  }

  @Test
  void aHardHistoryIsNeverPassedWhenTheBudgetRunsOut() {
    // 14 indeterminate increments pending from the start and reads that contradict the ok
    // increments: to prove the violation the search must try many subsets of the pending
    // increments at every point, which takes longer than the budget on most machines. Either
    // answer but LINEARIZABLE is right.
    History.Builder<String, Long> history = history();
    for (int i = 0; i < 14; i++) {
      history.info(100 + i, i, "incr");
    }
    for (int i = 0; i < 200; i++) {
      history.ok(i % 7, 10L * i, 10L * i + 25, i % 3 == 0 ? "incr" : "read", 0L);
    }
    CheckResult<String, Long> result =
        LinearizabilityChecker.sequential().check(history.build(), COUNTER, Duration.ofMillis(200));
    assertThat(result.verdict()).as(result.explanation()).isNotEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void modelExceptionsReachTheCaller() {
    assertThatThrownBy(
            () ->
                LinearizabilityChecker.parallel(2)
                    .check(history().ok(1, 0, 1, "jump", 0L).build(), COUNTER, BUDGET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jump");
  }

  @Test
  void historiesRejectCompletionsBeforeInvocations() {
    assertThatThrownBy(() -> Operation.ok(1, 10, 9, "incr", 0L))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Operation.info(1, 10, "incr").completeTime()).isEqualTo(Long.MAX_VALUE);
    assertThat(Operation.<String, Long>info(3, 40, "incr").describe())
        .isEqualTo("p3 [40, inf) incr -> info");
    assertThat(Operation.ok(2, 5, 9, "read", 1L).describe()).isEqualTo("p2 [5, 9] read -> ok 1");
    assertThat(Operation.<String, Long>fail(2, 5, 9, "incr").describe())
        .isEqualTo("p2 [5, 9] incr -> fail");
  }
}
