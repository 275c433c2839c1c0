package io.jangada.raft.storage.file;

import io.jangada.raft.contract.StateStorageContract;
import io.jangada.raft.storage.StateStorage;
import java.io.IOException;
import java.nio.file.Path;

class FileStateStorageContractTest extends StateStorageContract {

  @Override
  protected StateStorage open(Path dir) throws IOException {
    return FileStateStorage.open(RealFileIo.INSTANCE, dir, false);
  }

  @Override
  protected StateStorage reopen(StateStorage storage, Path dir) throws IOException {
    return open(dir);
  }
}
