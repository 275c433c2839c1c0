package io.jangada.raft.storage;

import io.jangada.raft.model.HardState;
import java.util.Objects;

/**
 * A {@link StateStorage} in memory. {@link #save} is "durable" at once, as the contract demands, so
 * a simulated crash never loses a saved state. Thread-safe.
 */
public final class InMemoryStateStorage implements StateStorage {

  private HardState state = HardState.INITIAL;

  /** A storage holding {@link HardState#INITIAL}. */
  public InMemoryStateStorage() {}

  @Override
  public synchronized HardState load() {
    return state;
  }

  @Override
  public synchronized void save(HardState newState) {
    this.state = Objects.requireNonNull(newState, "state");
  }
}
