package io.jangada.raft.testkit.lincheck.models;

import io.jangada.raft.testkit.lincheck.Model;
import java.util.List;
import java.util.Optional;

/**
 * A map from keys to values, every key initially absent, checked key by key (each key is a {@link
 * Model#partition partition}; the state of a partition is the key's current value):
 *
 * <ul>
 *   <li>{@link KvOp.Get} returns the value, or empty if absent;
 *   <li>{@link KvOp.Put} sets the value; {@link KvOp.Delete} removes it;
 *   <li>{@link KvOp.Cas} sets it to the update only if it equals the expected value;
 *   <li>{@link KvOp.Create} sets it only if the key is absent.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <K> the key type; keys must have {@code equals} and {@code hashCode}
 * @param <V> the value type; values must have {@code equals} and {@code hashCode}
 */
public final class KvModel<K, V> implements Model<Optional<V>, KvOp<K, V>, Reply<V>> {

  private KvModel() {}

  /** A map whose keys all start absent. */
  public static <K, V> KvModel<K, V> create() {
    return new KvModel<>();
  }

  @Override
  public Optional<V> initialState() {
    return Optional.empty();
  }

  @Override
  public Object partition(KvOp<K, V> input) {
    return input.key();
  }

  @Override
  public Optional<Optional<V>> step(Optional<V> state, KvOp<K, V> input, Reply<V> output) {
    if (input instanceof KvOp.Get<K, V>) {
      return Cell.read(state, input, output);
    } else if (input instanceof KvOp.Put<K, V> put) {
      return Cell.set(Optional.of(put.value()), input, output);
    } else if (input instanceof KvOp.Delete<K, V>) {
      return Cell.set(Optional.empty(), input, output);
    } else if (input instanceof KvOp.Cas<K, V> cas) {
      return Cell.conditional(
          state, Cell.holds(state, cas.expected()), Optional.of(cas.update()), input, output);
    } else if (input instanceof KvOp.Create<K, V> create) {
      return Cell.conditional(state, state.isEmpty(), Optional.of(create.value()), input, output);
    }
    throw new AssertionError(input);
  }

  @Override
  public List<Optional<V>> stepUnobserved(Optional<V> state, KvOp<K, V> input) {
    if (input instanceof KvOp.Get<K, V>) {
      return List.of(state);
    } else if (input instanceof KvOp.Put<K, V> put) {
      return List.of(Optional.of(put.value()));
    } else if (input instanceof KvOp.Delete<K, V>) {
      return List.of(Optional.empty());
    } else if (input instanceof KvOp.Cas<K, V> cas) {
      return Cell.conditionalUnobserved(
          state, Cell.holds(state, cas.expected()), Optional.of(cas.update()));
    } else if (input instanceof KvOp.Create<K, V> create) {
      return Cell.conditionalUnobserved(state, state.isEmpty(), Optional.of(create.value()));
    }
    throw new AssertionError(input);
  }

  /** Gets, and compare-and-sets or creates that did not apply, never change the key. */
  @Override
  public boolean readOnly(KvOp<K, V> input, Reply<V> output) {
    return input instanceof KvOp.Get
        || ((input instanceof KvOp.Cas || input instanceof KvOp.Create)
            && output instanceof Reply.Applied<V> a
            && !a.applied());
  }

  /** A put or a delete sets the key whatever it held. */
  @Override
  public boolean overwrites(KvOp<K, V> input) {
    return input instanceof KvOp.Put || input instanceof KvOp.Delete;
  }

  @Override
  public String describe(Optional<V> state) {
    return state.map(String::valueOf).orElse("<absent>");
  }
}
