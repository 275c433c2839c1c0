package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory (a {@code LOCK} file locked with {@link
 * FileChannel#tryLock()}), so that two processes, or two instances in one JVM, never write the same
 * storage. The OS releases it if the process dies.
 */
final class DirectoryLock implements AutoCloseable {

  static final String FILE_NAME = "LOCK";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * @throws IOException naming the directory if another instance holds it
   */
  static DirectoryLock acquire(Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(
            dir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException(
          "data directory "
              + dir.toAbsolutePath()
              + " is locked: another FileStorage (in this or another process) has it open");
    }
    return new DirectoryLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    if (!channel.isOpen()) {
      return;
    }
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
