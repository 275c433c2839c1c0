package io.jangada.raft.storage;

import io.jangada.raft.model.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Stores snapshots of the state machine. A snapshot becomes visible only when its {@link Sink} is
 * committed; a half-written snapshot (crash, abort, failed checksum) is never returned by {@link
 * #latest()}.
 *
 * <p>Thread: safe for use from several threads (the apply thread writes, the loop reads to send
 * chunks). Blocking: every method may block on I/O. Errors: {@link IOException} on I/O failure.
 */
public interface SnapshotStorage {

  /** The newest committed snapshot, if any. */
  Optional<SnapshotMeta> latest() throws IOException;

  /** Starts writing a snapshot described by {@code meta}. */
  Sink create(SnapshotMeta meta) throws IOException;

  /**
   * Opens a committed snapshot for reading from its start.
   *
   * @throws java.io.FileNotFoundException or another {@link IOException} if it is gone
   */
  InputStream open(SnapshotMeta meta) throws IOException;

  /** The size in bytes of a committed snapshot. */
  long size(SnapshotMeta meta) throws IOException;

  /** A snapshot being written. Exactly one of {@link #commit()} or {@link #close()} ends it. */
  interface Sink extends AutoCloseable {

    /** Where the snapshot's bytes go. Not thread-safe. */
    OutputStream stream();

    /**
     * Makes the snapshot durable and the newest one, then releases the sink. Older snapshots may be
     * deleted afterwards.
     */
    void commit() throws IOException;

    /** Aborts the snapshot if it was not committed, discarding what was written. Idempotent. */
    @Override
    void close() throws IOException;
  }
}
