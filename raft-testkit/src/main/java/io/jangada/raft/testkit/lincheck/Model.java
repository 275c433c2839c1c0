package io.jangada.raft.testkit.lincheck;

import java.util.List;
import java.util.Optional;

/**
 * The sequential specification of the system under test: what each operation does when operations
 * run one at a time.
 *
 * <p>States must be immutable values with {@code equals} and {@code hashCode}: the checker memoizes
 * (set of linearized operations, state) pairs, and two states that are equal must behave the same.
 * Every method must be a pure function: the checker calls it from its own threads, for several
 * partitions at once, in any order and any number of times. Methods may throw {@link
 * IllegalArgumentException} for an input or output the model does not understand; the check then
 * throws it to its caller.
 *
 * <p>A model is P-compositional when its operations fall into independent {@linkplain #partition
 * partitions} (such as the keys of a map): the history is then linearizable if and only if each
 * partition's sub-history is, and the checker checks each one separately with states that describe
 * only that partition. The default is a single partition.
 *
 * @param <S> the state type
 * @param <I> the input type (what an operation asks for)
 * @param <O> the output type (what an operation returns)
 */
public interface Model<S, I, O> {

  /** The partition of a model that does not declare any. */
  Object SINGLE_PARTITION = "all";

  /** The state before any operation; for a partitioned model, the initial state of a partition. */
  S initialState();

  /**
   * The state after an operation with {@code input} runs in {@code state} and returns {@code
   * output}, or empty if it cannot return {@code output} in that state (the history would be
   * inconsistent). Used for ok operations.
   */
  Optional<S> step(S state, I input, O output);

  /**
   * The states an operation with {@code input} may leave behind when it runs in {@code state} and
   * its output was never observed (an info operation). A deterministic model returns one state. The
   * checker always also considers that the operation never took effect, so returning {@code state}
   * itself (for a read) is allowed but unnecessary.
   */
  List<S> stepUnobserved(S state, I input);

  /**
   * True if an ok operation with {@code input} that returned {@code output} leaves every state it
   * is consistent with unchanged: a read, or a compare-and-set that reported no effect. The checker
   * then linearizes it as soon as it is consistent without trying other orders (a partial-order
   * reduction that removes most backtracking). Must be exact: true for an operation that can change
   * the state makes the check unsound. Returns false unless overridden.
   */
  default boolean readOnly(I input, O output) {
    return false;
  }

  /**
   * True if {@link #stepUnobserved} of {@code input} returns one state that does not depend on the
   * state before (a blind write or delete). The checker then skips orders where such an info
   * operation directly follows another info operation, which keeps histories with many info
   * operations tractable. Must be exact. Returns false unless overridden.
   */
  default boolean overwrites(I input) {
    return false;
  }

  /**
   * The partition {@code input} belongs to, compared with {@code equals}: operations in different
   * partitions never affect each other. Returns {@link #SINGLE_PARTITION} unless overridden.
   */
  default Object partition(I input) {
    return SINGLE_PARTITION;
  }

  /** A short description of {@code state} for explanations; {@code toString} unless overridden. */
  default String describe(S state) {
    return String.valueOf(state);
  }
}
