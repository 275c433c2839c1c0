package io.jangada.raft.testkit.lincheck;

import java.util.Objects;

/**
 * One operation of a history: which process (client) ran it, when it was invoked, what it asked for
 * ({@code input}) and how it ended ({@code outcome}).
 *
 * <p>Times are on one clock shared by all processes: {@link System#nanoTime()} in one JVM, or any
 * logical clock where a later event gets a larger value. Two events with the same time are treated
 * as concurrent (an operation completing at {@code t} does not precede one invoked at {@code t}),
 * which can only make the checker more permissive, never report a false violation.
 *
 * <p>Immutable value; {@code input} and the output should be immutable values too.
 *
 * @param process the id of the client that ran the operation (informational: it appears in
 *     explanations; the checker relies only on times)
 * @param invokeTime when the client invoked the operation
 * @param input what the operation asked for, for example a write of a value
 * @param outcome how it ended; its completion time is not before {@code invokeTime}
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public record Operation<I, O>(int process, long invokeTime, I input, Outcome<O> outcome) {

  /** Validates the times. */
  public Operation {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(outcome, "outcome");
    if (invokeTime == Long.MAX_VALUE) {
      throw new IllegalArgumentException("invokeTime must be finite");
    }
    if (outcome.completeTime() < invokeTime) {
      throw new IllegalArgumentException(
          "completes at " + outcome.completeTime() + " before its invocation at " + invokeTime);
    }
  }

  /** An operation that took effect once and returned {@code output}. */
  public static <I, O> Operation<I, O> ok(
      int process, long invokeTime, long completeTime, I input, O output) {
    return new Operation<>(process, invokeTime, input, new Outcome.Ok<>(completeTime, output));
  }

  /** An operation that definitely did not take effect. */
  public static <I, O> Operation<I, O> fail(
      int process, long invokeTime, long completeTime, I input) {
    return new Operation<>(process, invokeTime, input, new Outcome.Fail<>(completeTime));
  }

  /** An operation with an unknown outcome: it may take effect at any time after invocation. */
  public static <I, O> Operation<I, O> info(int process, long invokeTime, I input) {
    return new Operation<>(process, invokeTime, input, new Outcome.Info<>());
  }

  /** When the operation completed; {@link Long#MAX_VALUE} (+infinity) for an info operation. */
  public long completeTime() {
    return outcome.completeTime();
  }

  /** True if the outcome is {@link Outcome.Ok}. */
  public boolean isOk() {
    return outcome instanceof Outcome.Ok;
  }

  /** True if the outcome is {@link Outcome.Fail}. */
  public boolean isFail() {
    return outcome instanceof Outcome.Fail;
  }

  /** True if the outcome is {@link Outcome.Info}. */
  public boolean isInfo() {
    return outcome instanceof Outcome.Info;
  }

  /**
   * A compact one-line description for explanations, e.g. {@code p3 [100, 250] Write[value=5] -> ok
   * Ack[]} or {@code p1 [40, inf) Write[value=7] -> info}.
   */
  public String describe() {
    StringBuilder text = new StringBuilder();
    text.append('p').append(process).append(" [").append(invokeTime).append(", ");
    if (outcome instanceof Outcome.Ok<O> ok) {
      text.append(ok.completeTime()).append("] ").append(input).append(" -> ok ");
      text.append(ok.output());
    } else if (outcome instanceof Outcome.Fail<O> fail) {
      text.append(fail.completeTime()).append("] ").append(input).append(" -> fail");
    } else if (outcome instanceof Outcome.Info<O>) {
      text.append("inf) ").append(input).append(" -> info");
    } else {
      throw new AssertionError(outcome);
    }
    return text.toString();
  }
}
