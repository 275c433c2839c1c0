package io.jangada.raft.storage;

import io.jangada.raft.model.HardState;
import java.io.IOException;

/**
 * Stores the node's {@link HardState} (term, vote, commit).
 *
 * <p>Thread: one thread at a time (the node's log writer). Blocking: may block on I/O. Durability:
 * {@link #save} is durable on return, and replaces the previous state atomically (a crash leaves
 * either the old or the new state, never a mix). Errors: {@link IOException} is fatal for the node.
 */
public interface StateStorage {

  /** The last saved state, or {@link HardState#INITIAL} if none was ever saved. */
  HardState load() throws IOException;

  /** Replaces the stored state; durable on return. */
  void save(HardState state) throws IOException;
}
