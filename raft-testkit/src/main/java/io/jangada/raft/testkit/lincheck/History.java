package io.jangada.raft.testkit.lincheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A recorded history: the operations of all processes, in any order (the checker orders them by
 * time). Produced by a {@link HistoryRecorder} or built by hand with {@link #builder()}.
 *
 * <p>Immutable value.
 *
 * @param operations every operation, including failed and indeterminate ones
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public record History<I, O>(List<Operation<I, O>> operations) {

  /** Copies the list. */
  public History {
    operations = List.copyOf(operations);
  }

  /** A builder for hand-made histories (tests, histories read from logs). */
  public static <I, O> Builder<I, O> builder() {
    return new Builder<>();
  }

  /** The number of operations, including failed and indeterminate ones. */
  public int size() {
    return operations.size();
  }

  /**
   * Splits the operations that may have taken effect (ok and info; failed ones are dropped) by
   * {@code partitionOf} applied to their input, keeping the order of first appearance.
   */
  Map<Object, List<Operation<I, O>>> splitWithoutFailed(Function<I, Object> partitionOf) {
    Map<Object, List<Operation<I, O>>> parts = new LinkedHashMap<>();
    for (Operation<I, O> op : operations) {
      if (op.isFail()) {
        continue;
      }
      Object key = Objects.requireNonNull(partitionOf.apply(op.input()), "partition");
      parts.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
    }
    return parts;
  }

  /**
   * Collects operations for a {@link History}. Not thread-safe: use a {@link HistoryRecorder} for
   * concurrent clients.
   *
   * @param <I> the input type of the model
   * @param <O> the output type of the model
   */
  public static final class Builder<I, O> {
    private final List<Operation<I, O>> operations = new ArrayList<>();

    private Builder() {}

    /** Adds an operation. */
    public Builder<I, O> add(Operation<I, O> operation) {
      operations.add(Objects.requireNonNull(operation, "operation"));
      return this;
    }

    /** Adds an operation that took effect and returned {@code output}. */
    public Builder<I, O> ok(int process, long invokeTime, long completeTime, I input, O output) {
      return add(Operation.ok(process, invokeTime, completeTime, input, output));
    }

    /** Adds an operation that definitely did not take effect. */
    public Builder<I, O> fail(int process, long invokeTime, long completeTime, I input) {
      return add(Operation.fail(process, invokeTime, completeTime, input));
    }

    /** Adds an operation whose outcome is unknown. */
    public Builder<I, O> info(int process, long invokeTime, I input) {
      return add(Operation.info(process, invokeTime, input));
    }

    /** The history of the operations added so far. */
    public History<I, O> build() {
      return new History<>(operations);
    }
  }
}
