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

  /**
   * Whether another instance (in this or another process) holds {@code dir}'s lock, tested with a
   * shared lock that needs only read access and is released at once; false if there is no {@code
   * LOCK} file or it cannot be read.
   */
  static boolean isHeld(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
      if (shared == null) {
        return true;
      }
      shared.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // held in this JVM
    } catch (IOException e) {
      return false;
    }
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
