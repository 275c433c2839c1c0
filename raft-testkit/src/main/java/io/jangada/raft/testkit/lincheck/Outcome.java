package io.jangada.raft.testkit.lincheck;

import java.util.Objects;

/**
 * How an operation ended, as the client saw it.
 *
 * <ul>
 *   <li>{@link Ok}: the operation took effect exactly once, at some instant between its invocation
 *       and its completion, and returned {@code output}.
 *   <li>{@link Fail}: the operation definitely did not take effect (for example the system rejected
 *       it before doing anything). The checker removes failed operations from the history.
 *   <li>{@link Info}: the outcome is unknown (timeout, lost connection, leader change): the
 *       operation may have taken effect at any instant after its invocation, even after other
 *       operations that started later, or never. Its completion time is +infinity.
 * </ul>
 *
 * <p>Immutable values.
 *
 * @param <O> the type of an operation's output
 */
public sealed interface Outcome<O> {

  /**
   * The instant the client learnt the outcome, on the same clock as the invocation; {@link
   * Long#MAX_VALUE} (+infinity) for {@link Info}.
   */
  long completeTime();

  /** The operation took effect once and returned {@code output}. */
  record Ok<O>(long completeTime, O output) implements Outcome<O> {
    /** Validates the output. */
    public Ok {
      Objects.requireNonNull(output, "output (use Optional for absent values)");
      if (completeTime == Long.MAX_VALUE) {
        throw new IllegalArgumentException("an ok operation completes at a finite time");
      }
    }
  }

  /** The operation definitely did not take effect. */
  record Fail<O>(long completeTime) implements Outcome<O> {
    /** Validates the time. */
    public Fail {
      if (completeTime == Long.MAX_VALUE) {
        throw new IllegalArgumentException("a failed operation completes at a finite time");
      }
    }
  }

  /** Unknown: the operation may take effect at any time after its invocation, or never. */
  record Info<O>() implements Outcome<O> {
    /** Always {@link Long#MAX_VALUE}: an indeterminate operation never completes. */
    @Override
    public long completeTime() {
      return Long.MAX_VALUE;
    }
  }
}
