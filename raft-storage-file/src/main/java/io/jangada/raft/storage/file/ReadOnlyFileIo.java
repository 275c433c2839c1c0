package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A view of a {@link FileIo} that opens files for reading only and refuses every change, for {@link
 * DumpTool}: inspecting a directory then needs no write permission (a read-only mount, a backup
 * owned by another user) and cannot change it by mistake.
 */
final class ReadOnlyFileIo implements FileIo {

  private final FileIo io;

  ReadOnlyFileIo(FileIo io) {
    this.io = io;
  }

  @Override
  public IoFile open(Path path) throws IOException {
    return io.openForReading(path);
  }

  @Override
  public IoFile openForReading(Path path) throws IOException {
    return io.openForReading(path);
  }

  @Override
  public IoFile create(Path path) throws IOException {
    throw refused(path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    throw refused(to);
  }

  @Override
  public void delete(Path path) throws IOException {
    throw refused(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    throw refused(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    throw refused(dir);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return io.list(dir);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return io.exists(path);
  }

  private static IOException refused(Path path) {
    return new IOException(path + ": would change the directory, which is inspected read-only");
  }
}
