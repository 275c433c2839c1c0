package io.jangada.raft.storage;

import io.jangada.raft.contract.StateStorageContract;
import java.nio.file.Path;

class InMemoryStateStorageContractTest extends StateStorageContract {

  @Override
  protected StateStorage open(Path dir) {
    return new InMemoryStateStorage();
  }

  /** The in-memory state survives a "restart" because the same instance is kept. */
  @Override
  protected StateStorage reopen(StateStorage storage, Path dir) {
    return storage;
  }
}
