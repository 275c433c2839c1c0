package io.jangada.raft.storage.file;

import io.jangada.raft.contract.LogStorageContract;
import io.jangada.raft.storage.LogStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The log contract on files, with small segments so that tests cross segment boundaries. */
class FileLogStorageContractTest extends LogStorageContract {

  private final Map<LogStorage, FileStorage> storages = new IdentityHashMap<>();

  @Override
  protected LogStorage open(Path dir) throws IOException {
    FileStorage storage =
        FileStorage.open(
            dir, FileStorageOptions.builder().segmentSizeBytes(1024).entryCacheBytes(500).build());
    storages.put(storage.log(), storage);
    return storage.log();
  }

  @Override
  protected LogStorage reopen(LogStorage log, Path dir) throws IOException {
    storages.remove(log).close();
    return open(dir);
  }

  @AfterEach
  void closeStorages() throws IOException {
    for (FileStorage s : storages.values()) {
      s.close();
    }
  }
}
