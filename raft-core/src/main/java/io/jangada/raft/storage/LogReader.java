package io.jangada.raft.storage;

import io.jangada.raft.model.LogEntry;
import java.util.List;

/**
 * Read-only view of the durable-or-pending log, all the pure core may see. The log holds the
 * contiguous entries {@code firstIndex() .. lastIndex()}; everything before {@code firstIndex()}
 * was compacted into a snapshot whose last index is {@code firstIndex() - 1} and whose term {@link
 * #term(long)} still answers. An empty, never-compacted log has {@code firstIndex() == 1} and
 * {@code lastIndex() == 0}.
 *
 * <p>Thread: called by one thread at a time (the node's loop); implementations that are also
 * written by another thread must make appended entries visible to readers safely. Blocking: may
 * read from disk. Errors: I/O failures surface as the unchecked {@link StorageException}, which is
 * fatal for the node.
 */
public interface LogReader {

  /** The first index still held, at least 1. */
  long firstIndex();

  /** The last index held, {@code firstIndex() - 1} when the log is empty. */
  long lastIndex();

  /**
   * The term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()};
   * {@code term(firstIndex() - 1)} is the compacted snapshot's term (0 for index 0).
   *
   * @throws CompactedException if {@code index < firstIndex() - 1}
   * @throws IndexOutOfBoundsException if {@code index > lastIndex()}
   */
  long term(long index);

  /**
   * Entries from {@code fromInclusive} up to {@code toExclusive}, stopping early once their {@link
   * LogEntry#sizeBytes()} sum would exceed {@code maxBytes}; at least one entry is returned if the
   * range is not empty, whatever its size.
   *
   * @throws CompactedException if {@code fromInclusive < firstIndex()}
   * @throws IndexOutOfBoundsException if {@code toExclusive > lastIndex() + 1} or the range is
   *     reversed
   */
  List<LogEntry> entries(long fromInclusive, long toExclusive, long maxBytes);
}
