package io.jangada.raft.storage;

import io.jangada.raft.contract.LogStorageContract;
import java.nio.file.Path;

class InMemoryLogStorageContractTest extends LogStorageContract {

  @Override
  protected LogStorage open(Path dir) {
    return new InMemoryLogStorage();
  }

  /** A restart of the in-memory log: close, then reopen keeping only what was synced. */
  @Override
  protected LogStorage reopen(LogStorage storage, Path dir) {
    InMemoryLogStorage log = (InMemoryLogStorage) storage;
    log.close();
    log.reopen();
    return log;
  }
}
