package io.jangada.raft.storage.file;

import io.jangada.raft.contract.SnapshotStorageContract;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.IOException;
import java.nio.file.Path;

class FileSnapshotStorageContractTest extends SnapshotStorageContract {

  @Override
  protected SnapshotStorage open(Path dir, int retain) throws IOException {
    return SnapshotDir.open(RealFileIo.INSTANCE, dir, retain, false);
  }

  @Override
  protected SnapshotStorage reopen(SnapshotStorage storage, Path dir, int retain)
      throws IOException {
    return open(dir, retain);
  }
}
