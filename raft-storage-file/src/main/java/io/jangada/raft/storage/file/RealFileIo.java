package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link FileIo} on the real file system with {@link FileChannel}. */
final class RealFileIo implements FileIo {

  static final RealFileIo INSTANCE = new RealFileIo();

  private RealFileIo() {}

  @Override
  public IoFile open(Path path) throws IOException {
    return new ChannelFile(
        path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  @Override
  public IoFile openForReading(Path path) throws IOException {
    return new ChannelFile(path, FileChannel.open(path, StandardOpenOption.READ));
  }

  @Override
  public IoFile create(Path path) throws IOException {
    return new ChannelFile(
        path,
        FileChannel.open(
            path,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.CREATE_NEW));
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    // On Linux a directory opened for reading can be fsync'd; that makes its entries durable.
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    List<Path> created = new ArrayList<>();
    for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
      created.add(0, p);
    }
    Files.createDirectories(absolute);
    for (Path p : created) {
      if (p.getParent() != null) {
        syncDirectory(p.getParent());
      }
    }
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /**
   * {@inheritDoc} Unlike {@link Files#exists}, which answers false when it cannot tell (a directory
   * on the way that this process may not search), this throws then: an unreadable directory must
   * not pass for an empty one.
   */
  @Override
  public boolean exists(Path path) throws IOException {
    try {
      Files.readAttributes(path, BasicFileAttributes.class);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * An open file whose write, truncate and sync failures name it: the JDK reports a full disk or an
   * I/O error there as a bare {@code IOException("No space left on device")}, which leaves an
   * operator guessing which file system filled up.
   */
  private static final class ChannelFile implements IoFile {
    private final Path path;
    private final FileChannel channel;

    ChannelFile(Path path, FileChannel channel) {
      this.path = path;
      this.channel = channel;
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return channel.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      long pos = position;
      try {
        while (src.hasRemaining()) {
          pos += channel.write(src, pos);
        }
      } catch (IOException e) {
        throw named(e);
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      try {
        channel.truncate(size);
      } catch (IOException e) {
        throw named(e);
      }
    }

    @Override
    public void force() throws IOException {
      try {
        channel.force(false);
      } catch (IOException e) {
        throw named(e);
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }

    /**
     * A bare {@code IOException} (what the system said, e.g. ENOSPC or EIO) as a {@link
     * FileSystemException} naming this file, with the original as its cause; its subclasses (a
     * closed or interrupted channel) unchanged.
     */
    private IOException named(IOException e) {
      if (e.getClass() != IOException.class) {
        return e;
      }
      FileSystemException named = new FileSystemException(path.toString(), null, e.getMessage());
      named.initCause(e);
      return named;
    }
  }
}
