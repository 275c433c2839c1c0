package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The real file system, for tests that watch or hold one kind of call: every method forwards to
 * {@link RealFileIo}, and each opened or created file goes through {@link #wrap}, where a test puts
 * a {@link ForwardingFile} that overrides what it watches.
 */
abstract class ForwardingFileIo implements FileIo {

  private final FileIo real = RealFileIo.INSTANCE;

  /**
   * The file a test hands out for {@code file}, opened at {@code path}: by default {@code file}
   * itself.
   */
  IoFile wrap(IoFile file, Path path) {
    return file;
  }

  @Override
  public IoFile open(Path path) throws IOException {
    return wrap(real.open(path), path);
  }

  @Override
  public IoFile openForReading(Path path) throws IOException {
    return wrap(real.openForReading(path), path);
  }

  @Override
  public IoFile create(Path path) throws IOException {
    return wrap(real.create(path), path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    real.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    real.delete(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    real.syncDirectory(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
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

  /** An open file forwarding every call to another one. */
  static class ForwardingFile implements IoFile {
    private final IoFile file;

    ForwardingFile(IoFile file) {
      this.file = file;
    }

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
      file.write(src, position);
    }

    @Override
    public void truncate(long size) throws IOException {
      file.truncate(size);
    }

    @Override
    public void force() throws IOException {
      file.force();
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
