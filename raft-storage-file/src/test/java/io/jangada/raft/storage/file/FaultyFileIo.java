package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;

/**
 * The real file system with an operator fault switched on at will (TESTING.md tier T10): a full
 * disk (writing new bytes, creating and renaming files fail with "No space left on device", as
 * {@code ENOSPC} does) or a read-only one (every change fails with "Read-only file system", as
 * {@code EROFS} does). Needed because the tests run as root, whom file permissions do not stop.
 * Thread-safe: the fault is a volatile switch.
 */
final class FaultyFileIo implements FileIo {

  /** The fault in force. */
  enum Fault {
    NONE,
    FULL,
    READ_ONLY
  }

  volatile Fault fault = Fault.NONE;
  private final FileIo real = RealFileIo.INSTANCE;

  private void refuse(Path path, boolean newBytes) throws IOException {
    if (fault == Fault.READ_ONLY) {
      throw new FileSystemException(path.toString(), null, "Read-only file system");
    }
    if (fault == Fault.FULL && newBytes) {
      throw new IOException(path + ": No space left on device");
    }
  }

  @Override
  public IoFile open(Path path) throws IOException {
    refuse(path, false); // opening for writing fails on a read-only file system
    IoFile file = real.open(path);
    return new IoFile() {
      @Override
      public long size() throws IOException {
        return file.size();
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        return file.read(dst, position);
      }

      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        refuse(path, true);
        file.write(src, position);
      }

      @Override
      public void truncate(long size) throws IOException {
        refuse(path, false);
        file.truncate(size);
      }

      @Override
      public void force() throws IOException {
        refuse(path, false);
        file.force();
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }

  @Override
  public IoFile create(Path path) throws IOException {
    refuse(path, true);
    real.create(path).close();
    return open(path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    refuse(to, true);
    real.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    if (real.exists(path)) {
      refuse(path, false);
    }
    real.delete(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    real.syncDirectory(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    if (!real.exists(dir)) {
      refuse(dir, true);
    }
    real.createDirectories(dir);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return real.list(dir);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return real.exists(path);
  }
}
