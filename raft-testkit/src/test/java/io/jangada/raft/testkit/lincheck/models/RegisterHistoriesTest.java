package io.jangada.raft.testkit.lincheck.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hand-made register histories, good and bad, each with the reason in its name. */
class RegisterHistoriesTest {

  private static History.Builder<RegisterOp<Integer>, Reply<Integer>> history() {
    return History.builder();
  }

  private static CheckResult<RegisterOp<Integer>, Reply<Integer>> check(
      History.Builder<RegisterOp<Integer>, Reply<Integer>> history) {
    return check(history, RegisterModel.create());
  }

  private static CheckResult<RegisterOp<Integer>, Reply<Integer>> check(
      History.Builder<RegisterOp<Integer>, Reply<Integer>> history, RegisterModel<Integer> model) {
    return LinearizabilityChecker.sequential()
        .check(history.build(), model, Duration.ofSeconds(10));
  }

  private static void assertLinearizable(
      History.Builder<RegisterOp<Integer>, Reply<Integer>> history) {
    CheckResult<?, ?> result = check(history);
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }

  private static CheckResult<RegisterOp<Integer>, Reply<Integer>> assertNotLinearizable(
      History.Builder<RegisterOp<Integer>, Reply<Integer>> history) {
    CheckResult<RegisterOp<Integer>, Reply<Integer>> result = check(history);
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(result.violation()).isPresent();
    return result;
  }

  private static RegisterOp<Integer> read() {
    return RegisterOp.read();
  }

  private static RegisterOp<Integer> write(int value) {
    return RegisterOp.write(value);
  }

  private static RegisterOp<Integer> cas(int expected, int update) {
    return RegisterOp.cas(expected, update);
  }

  private static Reply<Integer> ack() {
    return Reply.ack();
  }

  private static Reply<Integer> value(int value) {
    return Reply.value(value);
  }

  private static Reply<Integer> absent() {
    return Reply.absent();
  }

  private static Reply<Integer> applied(boolean applied) {
    return Reply.applied(applied);
  }

  @Test
  void sequentialWritesReadsAndCasAreLinearizable() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, read(), absent())
            .ok(1, 20, 30, write(1), ack())
            .ok(2, 40, 50, read(), value(1))
            .ok(2, 60, 70, cas(1, 2), applied(true))
            .ok(1, 80, 90, cas(1, 3), applied(false))
            .ok(3, 100, 110, read(), value(2)));
  }

  @Test
  void emptyHistoryIsLinearizable() {
    assertLinearizable(history());
  }

  @Test
  void staleReadAfterNewerWriteCompletedIsNotLinearizable() {
    CheckResult<RegisterOp<Integer>, Reply<Integer>> result =
        assertNotLinearizable(
            history()
                .ok(1, 0, 10, write(1), ack())
                .ok(2, 20, 30, write(2), ack())
                .ok(3, 40, 50, read(), value(1)));
    CheckResult.Violation<RegisterOp<Integer>, Reply<Integer>> violation =
        result.violation().orElseThrow();
    assertThat(violation.blockedOperation().process()).isEqualTo(3);
    assertThat(violation.stuckOperation().process()).isEqualTo(3);
    assertThat(violation.prefixEndTime()).isEqualTo(50);
    assertThat(violation.partialLinearization()).hasSize(2);
    assertThat(violation.explanation())
        .contains("p3 [40, 50] Read[] -> ok Value[value=Optional[1]]")
        .contains("impossible in state 2");
  }

  @Test
  void readConcurrentWithWriteMaySeeEitherValue() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .ok(2, 20, 60, write(2), ack())
            .ok(3, 30, 40, read(), value(1))
            .ok(4, 30, 40, read(), value(2)));
  }

  @Test
  void acknowledgedWriteThatIsNeverObservedIsALostWrite() {
    assertNotLinearizable(history().ok(1, 0, 10, write(1), ack()).ok(2, 20, 30, read(), absent()));
  }

  @Test
  void lostWriteBetweenTwoObservedWritesIsNotLinearizable() {
    // w3 completed before the read started, yet the read still sees w2's value.
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(2), ack())
            .ok(2, 5, 15, read(), value(2))
            .ok(1, 20, 30, write(3), ack())
            .ok(2, 40, 50, read(), value(2)));
  }

  @Test
  void casThatSucceedsTwiceFromTheSameValueIsADuplicateApply() {
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(0), ack())
            .ok(2, 20, 30, cas(0, 1), applied(true))
            .ok(3, 40, 50, cas(0, 1), applied(true)));
  }

  @Test
  void concurrentCasesFromTheSameValueCannotBothSucceed() {
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(0), ack())
            .ok(2, 20, 50, cas(0, 1), applied(true))
            .ok(3, 25, 45, cas(0, 2), applied(true)));
    assertLinearizable(
        history()
            .ok(1, 0, 10, write(0), ack())
            .ok(2, 20, 50, cas(0, 1), applied(true))
            .ok(3, 25, 45, cas(0, 2), applied(false)));
  }

  @Test
  void incrementAppliedTwiceIsObservedAsASkippedValue() {
    // A counter built from CAS: 0 -> 1 -> 2; the second increment retried after a timeout and
    // "succeeded" again from 1, which is impossible once 2 was read.
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(0), ack())
            .ok(1, 20, 30, cas(0, 1), applied(true))
            .ok(1, 40, 50, cas(1, 2), applied(true))
            .ok(2, 60, 70, read(), value(2))
            .ok(1, 80, 90, cas(1, 2), applied(true)));
  }

  @Test
  void infoWriteThatTookEffectMayBeObserved() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .info(2, 5, write(2))
            .ok(3, 20, 30, read(), value(2)));
  }

  @Test
  void infoWriteThatNeverTookEffectNeedNotBeObserved() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .info(2, 5, write(2))
            .ok(3, 20, 30, read(), value(1))
            .ok(3, 40, 50, read(), value(1)));
  }

  @Test
  void infoWriteMayTakeEffectLongAfterItsClientGaveUp() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .info(2, 5, write(2))
            .ok(3, 20, 30, read(), value(1))
            .ok(2, 35, 38, read(), value(1))
            .ok(3, 40, 50, read(), value(2)));
  }

  @Test
  void infoWriteTakesEffectAtMostOnce() {
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .info(2, 5, write(2))
            .ok(3, 20, 30, read(), value(2))
            .ok(3, 40, 50, read(), value(1)));
  }

  @Test
  void infoWriteCannotTakeEffectBeforeItsInvocation() {
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .ok(3, 20, 30, read(), value(2))
            .info(2, 40, write(2)));
  }

  @Test
  void infoCasTakesEffectOnlyIfItsExpectedValueIsThere() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .info(2, 20, cas(1, 5))
            .ok(3, 30, 40, read(), value(5)));
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .info(2, 20, cas(7, 5))
            .ok(3, 30, 40, read(), value(5)));
  }

  @Test
  void overlappingWritesAreLinearizableInTheOrderTheReadsImply() {
    // w1 and w2 overlap; the reads force w2 before w1 (or w1 before w2): either is fine alone.
    assertLinearizable(
        history()
            .ok(1, 0, 100, write(1), ack())
            .ok(2, 0, 100, write(2), ack())
            .ok(3, 10, 20, read(), value(2))
            .ok(3, 30, 40, read(), value(1)));
    assertLinearizable(
        history()
            .ok(1, 0, 100, write(1), ack())
            .ok(2, 0, 100, write(2), ack())
            .ok(3, 10, 20, read(), value(1))
            .ok(3, 30, 40, read(), value(2)));
    // But no order explains 2, then 1, then 2 again.
    assertNotLinearizable(
        history()
            .ok(1, 0, 100, write(1), ack())
            .ok(2, 0, 100, write(2), ack())
            .ok(3, 10, 20, read(), value(2))
            .ok(3, 30, 40, read(), value(1))
            .ok(3, 50, 60, read(), value(2)));
  }

  @Test
  void failedOperationsAreIgnored() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .fail(2, 20, 30, write(2))
            .ok(3, 40, 50, read(), value(1)));
  }

  @Test
  void aFailedWriteThatIsObservedIsNotLinearizable() {
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .fail(2, 20, 30, write(2))
            .ok(3, 40, 50, read(), value(2)));
  }

  @Test
  void casOnlySucceedsWhenTheValueMatches() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, cas(1, 2), applied(false)) // absent matches nothing
            .ok(1, 20, 30, write(1), ack())
            .ok(1, 40, 50, cas(1, 2), applied(true))
            .ok(1, 60, 70, read(), value(2)));
    assertNotLinearizable(history().ok(1, 0, 10, cas(1, 2), applied(true)));
    assertNotLinearizable(
        history().ok(1, 0, 10, write(1), ack()).ok(1, 20, 30, cas(1, 2), applied(false)));
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, write(1), ack())
            .ok(1, 20, 30, cas(1, 2), applied(true))
            .ok(1, 40, 50, read(), value(1)));
  }

  @Test
  void registerMayStartWithAValue() {
    History.Builder<RegisterOp<Integer>, Reply<Integer>> history =
        history().ok(1, 0, 10, read(), value(0)).ok(1, 20, 30, cas(0, 1), applied(true));
    assertThat(check(history, RegisterModel.startingWith(0)).verdict())
        .isEqualTo(Verdict.LINEARIZABLE);
    assertThat(check(history).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void eventsAtTheSameInstantAreConcurrent() {
    // The read is invoked at the instant the write completes: it may be ordered before it.
    assertLinearizable(history().ok(1, 0, 10, write(1), ack()).ok(2, 10, 20, read(), absent()));
    assertNotLinearizable(history().ok(1, 0, 10, write(1), ack()).ok(2, 11, 20, read(), absent()));
  }
}
