package io.jangada.raft.storage;

import io.jangada.raft.contract.SnapshotStorageContract;
import java.nio.file.Path;

class InMemorySnapshotStorageContractTest extends SnapshotStorageContract {

  @Override
  protected SnapshotStorage open(Path dir, int retain) {
    return new InMemorySnapshotStorage(retain);
  }

  /** The in-memory snapshots survive a "restart" because the same instance is kept. */
  @Override
  protected SnapshotStorage reopen(SnapshotStorage storage, Path dir, int retain) {
    return storage;
  }
}
