package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * The real file system with an operator fault switched on at will (TESTING.md tier T10): a full
 * disk (writing new bytes, creating and renaming files fail with "No space left on device", as
 * {@code ENOSPC} does) or a read-only one (every change fails with "Read-only file system", as
 * {@code EROFS} does), or a directory the process may not touch (every open fails with {@link
 * AccessDeniedException}, as {@code EACCES} does: another user's files). Needed because the tests
 * run as root, whom file permissions do not stop. Thread-safe: the fault is a volatile switch.
 *
 * <p>Public (and shipped in this module's test-jar) for the integration tests, which put it under a
 * running node's {@link FileStorage} through {@link #open}.
 */
public final class FaultyFileIo extends ForwardingFileIo {

  /** The fault in force. */
  public enum Fault {
    NONE,
    FULL,
    READ_ONLY,
    ACCESS_DENIED
  }

  volatile Fault fault = Fault.NONE;

  /** Switches the fault on (or off with {@link Fault#NONE}). */
  public void fault(Fault fault) {
    this.fault = fault;
  }

  /** Opens {@code dir} as {@code identity} on this disk, with the default options. */
  public FileStorage open(Path dir, DataDirIdentity identity) throws IOException {
    return FileStorage.open(this, dir, identity, FileStorageOptions.defaults());
  }

  /**
   * Damages a stopped node's log as a failing disk or a careless copy would: cuts its newest
   * segment in the middle of the record of entry {@code index}, so recovery drops that entry and
   * every later one as a torn tail.
   */
  public static void cutInsideRecord(Path dataDir, long index) throws IOException {
    Path segment = newestSegment(dataDir);
    int offset = recordOffset(segment, index);
    int length = ByteBuffer.wrap(Files.readAllBytes(segment)).getInt(offset);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(offset + RecordFormat.FRAME_HEADER + length / 2);
    }
  }

  /**
   * Damages a stopped node's log as a disk that lost its last writes would (blocks that read back
   * as zeros): overwrites its newest segment with zeros from the record of entry {@code index} to
   * the end of the file, so recovery drops that entry and every later one as a torn tail.
   */
  public static void zeroFillFrom(Path dataDir, long index) throws IOException {
    Path segment = newestSegment(dataDir);
    int offset = recordOffset(segment, index);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(Math.toIntExact(ch.size() - offset));
      while (zeros.hasRemaining()) {
        ch.write(zeros, offset + zeros.position());
      }
      ch.force(true);
    }
  }

  private static Path newestSegment(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("log"))) {
      return files
          .filter(p -> SegmentName.parse(p).isPresent())
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
  }

  /** Where the record of entry {@code index} starts in {@code segment}. */
  private static int recordOffset(Path segment, long index) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
    int offset = RecordFormat.HEADER_SIZE;
    while (offset + RecordFormat.FRAME_HEADER + 8 <= b.limit()) {
      int length = b.getInt(offset);
      if (b.getLong(offset + RecordFormat.FRAME_HEADER) == index) {
        return offset;
      }
      offset += RecordFormat.FRAME_HEADER + length;
    }
    throw new AssertionError("no record of entry " + index + " in " + segment);
  }

  private void refuse(Path path, boolean newBytes) throws IOException {
    if (fault == Fault.ACCESS_DENIED) {
      throw new AccessDeniedException(path.toString());
    }
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
    return super.open(path);
  }

  @Override
  public IoFile openForReading(Path path) throws IOException {
    if (fault == Fault.ACCESS_DENIED) {
      throw new AccessDeniedException(path.toString()); // reading is allowed on a read-only disk
    }
    return super.openForReading(path);
  }

  @Override
  IoFile wrap(IoFile file, Path path) {
    return new ForwardingFile(file) {
      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        refuse(path, true);
        super.write(src, position);
      }

      @Override
      public void truncate(long size) throws IOException {
        refuse(path, false);
        super.truncate(size);
      }

      @Override
      public void force() throws IOException {
        refuse(path, false);
        super.force();
      }
    };
  }

  @Override
  public IoFile create(Path path) throws IOException {
    refuse(path, true);
    return super.create(path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    refuse(to, true);
    super.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    if (exists(path)) {
      refuse(path, false);
    }
    super.delete(path);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    if (!exists(dir)) {
      refuse(dir, true);
    }
    super.createDirectories(dir);
  }
}
