package io.jangada.raft.storage.file;

import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.storage.StateStorage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable storage for one Raft node in a data directory, built on the JDK only:
 *
 * <ul>
 *   <li>{@link #log()}: a segmented log ({@code log/}); records carry a CRC32C; {@code append}
 *       buffers and {@code sync} forces (group commit); truncation, compaction and reset are
 *       durable on return. Only a compact index and a bounded cache of recent entries stay in the
 *       heap.
 *   <li>{@link #state()}: term, vote and commit in {@code state}, replaced atomically (write a
 *       temporary file, force, rename, force the directory).
 *   <li>{@link #snapshots()}: snapshot files in {@code snapshots/}, committed by rename, the newest
 *       {@link FileStorageOptions#snapshotsToRetain()} kept.
 * </ul>
 *
 * <p>Opening recovers: a torn tail of the log (a crash during a write) is cut with a warning; a
 * checksum failure before the tail, a gap in the indexes or a bad header fails {@link #open} with
 * an {@link IOException} naming the file and offset. A {@code LOCK} file keeps a second instance
 * (in any process) out of the directory.
 *
 * <p>The directory records the {@link DataDirIdentity} (cluster id and node id) it was first opened
 * with, in {@code identity}; opening it under another identity fails, naming both. Opening also
 * fails if the term/vote file is missing beside a log or snapshot, or holds a term older than the
 * newest entry or snapshot (the file was lost or replaced: the node could vote twice in a term).
 *
 * <p>Thread-safety: see each SPI. {@link #close()} closes all three; use them no more afterwards.
 */
public final class FileStorage implements Closeable {

  private final Path dir;
  private final DataDirIdentity identity;
  private final DirectoryLock lock;
  private final SegmentedLog log;
  private final FileStateStorage state;
  private final SnapshotDir snapshots;

  private FileStorage(
      Path dir,
      DataDirIdentity identity,
      DirectoryLock lock,
      SegmentedLog log,
      FileStateStorage state,
      SnapshotDir snapshots) {
    this.dir = dir;
    this.identity = identity;
    this.lock = lock;
    this.log = log;
    this.state = state;
    this.snapshots = snapshots;
  }

  /** Opens (creating if needed) the storage of {@code identity} in {@code dir}, default options. */
  public static FileStorage open(Path dir, DataDirIdentity identity) throws IOException {
    return open(dir, identity, FileStorageOptions.defaults());
  }

  /**
   * Opens (creating if needed) the storage of {@code identity} in {@code dir} and recovers it. A
   * new directory records {@code identity}. Blocks on I/O; may take a while for a large log, since
   * every record's checksum is verified.
   *
   * @throws IOException if the directory is locked by another instance, belongs to another node or
   *     cluster (the message names both), its term/vote file is missing or older than its log, or
   *     its content is corrupt (the message names the file and offset), or {@code dir} is a file (a
   *     {@link FileAlreadyExistsException} saying so); also when the file system refuses to write
   *     (full, read-only) or access is denied (an {@link AccessDeniedException} saying so)
   */
  public static FileStorage open(Path dir, DataDirIdentity identity, FileStorageOptions options)
      throws IOException {
    return open(RealFileIo.INSTANCE, dir, identity, options);
  }

  static FileStorage open(FileIo io, Path dir, DataDirIdentity identity, FileStorageOptions options)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(options, "options");
    try {
      return openChecked(io, dir, identity, options);
    } catch (AccessDeniedException e) {
      // The JDK's message is the file name alone: say what is wrong and what the node needs.
      AccessDeniedException clear =
          new AccessDeniedException(
              e.getFile(),
              e.getOtherFile(),
              "permission denied (the node must be able to read and write its data directory "
                  + dir.toAbsolutePath()
                  + ")");
      clear.initCause(e);
      throw clear;
    }
  }

  private static FileStorage openChecked(
      FileIo io, Path dir, DataDirIdentity identity, FileStorageOptions options)
      throws IOException {
    try {
      io.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      // The JDK names the path alone, which reads as if the directory were taken.
      FileAlreadyExistsException clear =
          new FileAlreadyExistsException(
              e.getFile(),
              e.getOtherFile(),
              "exists and is not a directory: the data directory must be a directory (or a path"
                  + " that does not exist yet)");
      clear.initCause(e);
      throw clear;
    }
    DirectoryLock lock = DirectoryLock.acquire(dir);
    SegmentedLog log = null;
    try {
      DataDirCheck.identity(io, dir, identity);
      boolean stateFileExists = io.exists(dir.resolve(FileStateStorage.FILE_NAME));
      log =
          SegmentedLog.open(
              io, dir.resolve("log"), options.segmentSizeBytes(), options.entryCacheBytes(), false);
      FileStateStorage state = FileStateStorage.open(io, dir, false);
      SnapshotDir snapshots =
          SnapshotDir.open(io, dir.resolve("snapshots"), options.snapshotsToRetain(), false);
      Optional<String> problem =
          DataDirCheck.consistency(
              dir,
              stateFileExists,
              state.load(),
              log.firstIndex(),
              log.lastIndex(),
              log.term(log.lastIndex()),
              snapshots.latest());
      if (problem.isPresent()) {
        throw new IOException(problem.get());
      }
      return new FileStorage(dir, identity, lock, log, state, snapshots);
    } catch (IOException | RuntimeException e) {
      if (log != null) {
        try {
          log.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      lock.close();
      throw e;
    }
  }

  /** The durable log. Its {@code close()} is done by {@link #close()}. */
  public LogStorage log() {
    return log;
  }

  /** The durable hard state. */
  public StateStorage state() {
    return state;
  }

  /** The durable snapshots. */
  public SnapshotStorage snapshots() {
    return snapshots;
  }

  /** The node and cluster this directory belongs to. */
  public DataDirIdentity identity() {
    return identity;
  }

  /** The data directory. */
  public Path directory() {
    return dir;
  }

  /** Closes the log's files and releases the directory lock. Idempotent. */
  @Override
  public void close() throws IOException {
    try {
      log.close();
    } finally {
      lock.close();
    }
  }

  @Override
  public String toString() {
    return "FileStorage[" + dir + " " + identity + "]";
  }
}
