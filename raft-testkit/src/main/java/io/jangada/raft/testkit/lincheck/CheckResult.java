package io.jangada.raft.testkit.lincheck;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a linearizability check: an overall verdict and one result per partition.
 *
 * <p>The overall verdict is {@link Verdict#NOT_LINEARIZABLE} if any partition is, otherwise {@link
 * Verdict#UNKNOWN} if any partition's search did not finish, otherwise {@link
 * Verdict#LINEARIZABLE}. {@code UNKNOWN} is never a pass.
 *
 * <p>Immutable value.
 *
 * @param verdict the overall verdict
 * @param partitions one result per partition, in order of first appearance in the history
 * @param elapsed the wall-clock time the check took
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public record CheckResult<I, O>(
    Verdict verdict, List<PartitionResult<I, O>> partitions, Duration elapsed) {

  /** Copies the list. */
  public CheckResult {
    Objects.requireNonNull(verdict, "verdict");
    partitions = List.copyOf(partitions);
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** True if the verdict is {@link Verdict#LINEARIZABLE}. */
  public boolean isLinearizable() {
    return verdict == Verdict.LINEARIZABLE;
  }

  /** The first violation found, if any. */
  public Optional<Violation<I, O>> violation() {
    for (PartitionResult<I, O> partition : partitions) {
      if (partition.violation().isPresent()) {
        return partition.violation();
      }
    }
    return Optional.empty();
  }

  /**
   * A multi-line human-readable explanation: the verdict, then every violation and every partition
   * whose search did not finish.
   */
  public String explanation() {
    StringBuilder text = new StringBuilder();
    int operations = 0;
    for (PartitionResult<I, O> partition : partitions) {
      operations += partition.operations();
    }
    text.append(verdict)
        .append(": ")
        .append(partitions.size())
        .append(" partition(s), ")
        .append(operations)
        .append(" operation(s) checked in ")
        .append(elapsed.toMillis())
        .append(" ms");
    for (PartitionResult<I, O> partition : partitions) {
      if (partition.verdict() != Verdict.LINEARIZABLE) {
        text.append('\n').append(partition.summary());
        partition.violation().ifPresent(v -> text.append('\n').append(v.explanation()));
      }
    }
    return text.toString();
  }

  /**
   * The result for one partition of the history.
   *
   * @param partition the partition key ({@link Model#SINGLE_PARTITION} for unpartitioned models)
   * @param verdict the verdict for this partition
   * @param operations the number of ok and info operations checked (failed ones are dropped)
   * @param statesExplored the number of distinct (linearized set, state) pairs the search visited
   * @param elapsed the time the search of this partition took
   * @param summary a one-line description of the outcome
   * @param violation the evidence, present exactly when the verdict is {@code NOT_LINEARIZABLE}
   * @param <I> the input type of the model
   * @param <O> the output type of the model
   */
  public record PartitionResult<I, O>(
      Object partition,
      Verdict verdict,
      int operations,
      long statesExplored,
      Duration elapsed,
      String summary,
      Optional<Violation<I, O>> violation) {

    /** Validates that a violation is present exactly for {@code NOT_LINEARIZABLE}. */
    public PartitionResult {
      Objects.requireNonNull(partition, "partition");
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(elapsed, "elapsed");
      Objects.requireNonNull(summary, "summary");
      Objects.requireNonNull(violation, "violation");
      if (violation.isPresent() != (verdict == Verdict.NOT_LINEARIZABLE)) {
        throw new IllegalArgumentException("a violation goes with NOT_LINEARIZABLE only");
      }
    }
  }

  /**
   * Evidence that a partition is not linearizable.
   *
   * <p>{@code prefixEndTime} bounds the smallest failing prefix the search found: no ordering of
   * the operations got past the completion of {@code stuckOperation} at that time, so the history
   * cut at that instant (operations still running there counting as info) is already not
   * linearizable. {@code partialLinearization} is the sequence with the most ok operations that the
   * search could order consistently with the model (info operations in it are ones it assumed took
   * effect); after it, {@code blockedOperation} had to take effect (its completion was next) but
   * could not.
   *
   * @param partition the partition key
   * @param prefixEndTime the completion time of {@code stuckOperation}
   * @param stuckOperation the operation whose completion no linearization got past
   * @param partialLinearization the consistent ordering with the most ok operations, in order
   * @param blockedOperation the operation that could not be linearized after it
   * @param explanation a multi-line human-readable explanation of all of the above
   * @param <I> the input type of the model
   * @param <O> the output type of the model
   */
  public record Violation<I, O>(
      Object partition,
      long prefixEndTime,
      Operation<I, O> stuckOperation,
      List<Operation<I, O>> partialLinearization,
      Operation<I, O> blockedOperation,
      String explanation) {

    /** Copies the list. */
    public Violation {
      Objects.requireNonNull(partition, "partition");
      Objects.requireNonNull(stuckOperation, "stuckOperation");
      partialLinearization = List.copyOf(partialLinearization);
      Objects.requireNonNull(blockedOperation, "blockedOperation");
      Objects.requireNonNull(explanation, "explanation");
    }
  }
}
