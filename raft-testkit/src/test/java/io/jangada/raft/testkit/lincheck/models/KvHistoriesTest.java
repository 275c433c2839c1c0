package io.jangada.raft.testkit.lincheck.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hand-made key-value histories: per-key checking, create-only, delete and CAS on a map. */
class KvHistoriesTest {
  private static final KvModel<String, String> MODEL = KvModel.create();

  private static History.Builder<KvOp<String, String>, Reply<String>> history() {
    return History.builder();
  }

  private static CheckResult<KvOp<String, String>, Reply<String>> check(
      History.Builder<KvOp<String, String>, Reply<String>> history) {
    return LinearizabilityChecker.sequential()
        .check(history.build(), MODEL, Duration.ofSeconds(10));
  }

  private static void assertLinearizable(
      History.Builder<KvOp<String, String>, Reply<String>> history) {
    CheckResult<?, ?> result = check(history);
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }

  private static CheckResult<KvOp<String, String>, Reply<String>> assertNotLinearizable(
      History.Builder<KvOp<String, String>, Reply<String>> history) {
    CheckResult<KvOp<String, String>, Reply<String>> result = check(history);
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    return result;
  }

  private static KvOp<String, String> get(String key) {
    return KvOp.get(key);
  }

  private static KvOp<String, String> put(String key, String value) {
    return KvOp.put(key, value);
  }

  private static KvOp<String, String> delete(String key) {
    return KvOp.delete(key);
  }

  private static KvOp<String, String> cas(String key, String expected, String update) {
    return KvOp.cas(key, expected, update);
  }

  private static KvOp<String, String> create(String key, String value) {
    return KvOp.create(key, value);
  }

  private static Reply<String> ack() {
    return Reply.ack();
  }

  private static Reply<String> value(String value) {
    return Reply.value(value);
  }

  private static Reply<String> absent() {
    return Reply.absent();
  }

  private static Reply<String> applied(boolean applied) {
    return Reply.applied(applied);
  }

  @Test
  void keysAreIndependent() {
    CheckResult<KvOp<String, String>, Reply<String>> result =
        check(
            history()
                .ok(1, 0, 10, put("a", "1"), ack())
                .ok(2, 0, 10, put("b", "2"), ack())
                .ok(1, 20, 30, get("a"), value("1"))
                .ok(2, 20, 30, get("b"), value("2"))
                .ok(3, 20, 30, get("c"), absent()));
    assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(result.partitions())
        .extracting(CheckResult.PartitionResult::partition)
        .containsExactly("a", "b", "c");
  }

  @Test
  void aViolationNamesItsKey() {
    CheckResult<KvOp<String, String>, Reply<String>> result =
        assertNotLinearizable(
            history()
                .ok(1, 0, 10, put("a", "1"), ack())
                .ok(2, 0, 10, put("b", "2"), ack())
                .ok(1, 20, 30, get("a"), value("1"))
                .ok(2, 20, 30, get("b"), value("1")));
    assertThat(result.violation().orElseThrow().partition()).isEqualTo("b");
    assertThat(result.explanation()).contains("Partition b is not linearizable");
  }

  @Test
  void acknowledgedPutNeverObservedIsALostWrite() {
    assertNotLinearizable(
        history().ok(1, 0, 10, put("k", "1"), ack()).ok(2, 20, 30, get("k"), absent()));
  }

  @Test
  void createOnlyTakesEffectWhenAbsent() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, create("k", "1"), applied(true))
            .ok(2, 20, 30, create("k", "2"), applied(false))
            .ok(3, 40, 50, get("k"), value("1")));
    // Two creates cannot both win.
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, create("k", "1"), applied(true))
            .ok(2, 5, 15, create("k", "2"), applied(true)));
    // A create cannot lose on an absent key.
    assertNotLinearizable(history().ok(1, 0, 10, create("k", "1"), applied(false)));
    // A create cannot win over an existing value.
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, put("k", "0"), ack())
            .ok(2, 20, 30, create("k", "1"), applied(true)));
  }

  @Test
  void concurrentCreatesHaveExactlyOneWinnerWhichReadsSee() {
    assertLinearizable(
        history()
            .ok(1, 0, 50, create("k", "1"), applied(false))
            .ok(2, 0, 50, create("k", "2"), applied(true))
            .ok(3, 60, 70, get("k"), value("2")));
    assertNotLinearizable(
        history()
            .ok(1, 0, 50, create("k", "1"), applied(false))
            .ok(2, 0, 50, create("k", "2"), applied(true))
            .ok(3, 60, 70, get("k"), value("1")));
  }

  @Test
  void deleteRemovesTheKey() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, put("k", "1"), ack())
            .ok(1, 20, 30, delete("k"), ack())
            .ok(2, 40, 50, get("k"), absent())
            .ok(2, 60, 70, create("k", "2"), applied(true))
            .ok(1, 80, 90, get("k"), value("2")));
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, put("k", "1"), ack())
            .ok(1, 20, 30, delete("k"), ack())
            .ok(2, 40, 50, get("k"), value("1")));
  }

  @Test
  void infoDeleteMayOrMayNotHaveTakenEffect() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, put("k", "1"), ack())
            .info(1, 20, delete("k"))
            .ok(2, 40, 50, get("k"), value("1"))
            .ok(2, 60, 70, get("k"), absent()));
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, put("k", "1"), ack())
            .info(1, 20, delete("k"))
            .ok(2, 40, 50, get("k"), absent())
            .ok(2, 60, 70, get("k"), value("1")));
  }

  @Test
  void casOnAMapComparesTheCurrentValue() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, cas("k", "1", "2"), applied(false)) // absent never matches
            .ok(1, 20, 30, put("k", "1"), ack())
            .ok(2, 40, 50, cas("k", "1", "2"), applied(true))
            .ok(3, 60, 70, cas("k", "1", "3"), applied(false))
            .ok(3, 80, 90, get("k"), value("2")));
    assertNotLinearizable(history().ok(1, 0, 10, cas("k", "1", "2"), applied(true)));
    assertNotLinearizable(
        history()
            .ok(1, 0, 10, put("k", "1"), ack())
            .ok(2, 20, 30, cas("k", "1", "2"), applied(true))
            .ok(3, 40, 50, cas("k", "1", "3"), applied(true)));
  }

  @Test
  void failedOperationsOnAKeyAreIgnored() {
    assertLinearizable(
        history()
            .ok(1, 0, 10, put("k", "1"), ack())
            .fail(2, 20, 30, delete("k"))
            .fail(2, 40, 50, put("k", "x"))
            .ok(3, 60, 70, get("k"), value("1")));
  }

  @Test
  void aReplyOfTheWrongKindIsRejectedLoudly() {
    assertThatThrownBy(() -> check(history().ok(1, 0, 10, get("k"), ack())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Get[key=k]");
  }

  @Test
  void byDefaultTheCheckStopsAtTheFirstBadKeyButCanCheckThemAll() {
    History<KvOp<String, String>, Reply<String>> bad =
        history()
            .ok(1, 0, 10, put("a", "1"), ack())
            .ok(1, 20, 30, get("a"), absent())
            .ok(2, 0, 10, put("b", "1"), ack())
            .ok(2, 20, 30, get("b"), absent())
            .build();
    CheckResult<KvOp<String, String>, Reply<String>> first =
        LinearizabilityChecker.sequential().check(bad, MODEL, Duration.ofSeconds(10));
    assertThat(first.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(first.partitions())
        .extracting(CheckResult.PartitionResult::verdict)
        .containsExactly(Verdict.NOT_LINEARIZABLE, Verdict.UNKNOWN);

    CheckResult<KvOp<String, String>, Reply<String>> all =
        LinearizabilityChecker.sequential()
            .checkingEveryPartition()
            .check(bad, MODEL, Duration.ofSeconds(10));
    assertThat(all.partitions())
        .extracting(CheckResult.PartitionResult::verdict)
        .containsExactly(Verdict.NOT_LINEARIZABLE, Verdict.NOT_LINEARIZABLE);
    assertThat(all.explanation()).contains("Partition a").contains("Partition b");
  }
}
