package io.jangada.raft.storage.file;

import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.storage.StateStorage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

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
 * <p>Thread-safety: see each SPI. {@link #close()} closes all three; use them no more afterwards.
 */
public final class FileStorage implements Closeable {

  private final Path dir;
  private final DirectoryLock lock;
  private final SegmentedLog log;
  private final FileStateStorage state;
  private final SnapshotDir snapshots;

  private FileStorage(
      Path dir,
      DirectoryLock lock,
      SegmentedLog log,
      FileStateStorage state,
      SnapshotDir snapshots) {
    this.dir = dir;
    this.lock = lock;
    this.log = log;
    this.state = state;
    this.snapshots = snapshots;
  }

  /** Opens (creating if needed) the storage in {@code dir} with the default options. */
  public static FileStorage open(Path dir) throws IOException {
    return open(dir, FileStorageOptions.defaults());
  }

  /**
   * Opens (creating if needed) the storage in {@code dir} and recovers it. Blocks on I/O; may take
   * a while for a large log, since every record's checksum is verified.
   *
   * @throws IOException if the directory is locked by another instance, or its content is corrupt
   *     (the message names the file and offset)
   */
  public static FileStorage open(Path dir, FileStorageOptions options) throws IOException {
    return open(RealFileIo.INSTANCE, dir, options);
  }

  static FileStorage open(FileIo io, Path dir, FileStorageOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    io.createDirectories(dir);
    DirectoryLock lock = DirectoryLock.acquire(dir);
    SegmentedLog log = null;
    try {
      log =
          SegmentedLog.open(
              io, dir.resolve("log"), options.segmentSizeBytes(), options.entryCacheBytes(), false);
      FileStateStorage state = FileStateStorage.open(io, dir, false);
      SnapshotDir snapshots =
          SnapshotDir.open(io, dir.resolve("snapshots"), options.snapshotsToRetain(), false);
      return new FileStorage(dir, lock, log, state, snapshots);
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
    return "FileStorage[" + dir + "]";
  }
}
