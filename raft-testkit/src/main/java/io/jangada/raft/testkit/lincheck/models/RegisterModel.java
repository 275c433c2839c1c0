package io.jangada.raft.testkit.lincheck.models;

import io.jangada.raft.testkit.lincheck.Model;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A single register holding a value or nothing: {@link RegisterOp.Read} returns the value, {@link
 * RegisterOp.Write} sets it, {@link RegisterOp.Cas} sets it only if it currently equals the
 * expected value (an absent register matches nothing). The state is the current value.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <V> the value type; values must have {@code equals} and {@code hashCode}
 */
public final class RegisterModel<V> implements Model<Optional<V>, RegisterOp<V>, Reply<V>> {
  private final Optional<V> initial;

  private RegisterModel(Optional<V> initial) {
    this.initial = initial;
  }

  /** A register that starts absent. */
  public static <V> RegisterModel<V> create() {
    return new RegisterModel<>(Optional.empty());
  }

  /** A register that starts with {@code value}. */
  public static <V> RegisterModel<V> startingWith(V value) {
    return new RegisterModel<>(Optional.of(Objects.requireNonNull(value, "value")));
  }

  @Override
  public Optional<V> initialState() {
    return initial;
  }

  @Override
  public Optional<Optional<V>> step(Optional<V> state, RegisterOp<V> input, Reply<V> output) {
    if (input instanceof RegisterOp.Read<V>) {
      return Cell.read(state, input, output);
    } else if (input instanceof RegisterOp.Write<V> write) {
      return Cell.set(Optional.of(write.value()), input, output);
    } else if (input instanceof RegisterOp.Cas<V> cas) {
      return Cell.conditional(
          state, Cell.holds(state, cas.expected()), Optional.of(cas.update()), input, output);
    }
    throw new AssertionError(input);
  }

  @Override
  public List<Optional<V>> stepUnobserved(Optional<V> state, RegisterOp<V> input) {
    if (input instanceof RegisterOp.Read<V>) {
      return List.of(state);
    } else if (input instanceof RegisterOp.Write<V> write) {
      return List.of(Optional.of(write.value()));
    } else if (input instanceof RegisterOp.Cas<V> cas) {
      return Cell.conditionalUnobserved(
          state, Cell.holds(state, cas.expected()), Optional.of(cas.update()));
    }
    throw new AssertionError(input);
  }

  /** Reads, and compare-and-sets that did not apply, never change the register. */
  @Override
  public boolean readOnly(RegisterOp<V> input, Reply<V> output) {
    return input instanceof RegisterOp.Read
        || (input instanceof RegisterOp.Cas
            && output instanceof Reply.Applied<V> a
            && !a.applied());
  }

  /** A write sets the register whatever it held. */
  @Override
  public boolean overwrites(RegisterOp<V> input) {
    return input instanceof RegisterOp.Write;
  }

  @Override
  public String describe(Optional<V> state) {
    return state.map(String::valueOf).orElse("<absent>");
  }
}
