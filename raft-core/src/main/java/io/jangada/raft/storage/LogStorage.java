package io.jangada.raft.storage;

import io.jangada.raft.model.LogEntry;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The durable Raft log. Writes are buffered until {@link #sync()}; only what was appended before a
 * completed {@code sync()} is guaranteed to survive a crash, and after a crash the log is exactly
 * some state it had at a {@code sync()} boundary or later (a prefix-consistent state, never a mix
 * with holes or corrupt entries).
 *
 * <p>Thread: one writer thread at a time (the node's log writer); reads through {@link LogReader}
 * may come from another thread and see appended entries once {@code append} returned. Blocking:
 * every method may block on I/O. Errors: {@link IOException} from a mutating method is fatal for
 * the node, which stops and acknowledges nothing more.
 */
public interface LogStorage extends LogReader, Closeable {

  /**
   * Appends {@code entries}, which must be contiguous. The first entry's index may be at most
   * {@code lastIndex() + 1}; if it is lower, every stored entry from that index on is discarded
   * first (truncation of a conflicting suffix, §5.3). Not durable until {@link #sync()}.
   *
   * @throws IllegalArgumentException if the entries are not contiguous, leave a gap after {@code
   *     lastIndex()} or start before {@code firstIndex()}
   */
  void append(List<LogEntry> entries) throws IOException;

  /** Makes everything appended so far durable (one {@code fsync} for the whole batch). */
  void sync() throws IOException;

  /**
   * Discards entries up to and including {@code indexInclusive}, which a durable snapshot already
   * covers; remembers that entry's term for {@link #term(long)}. Implementations may compact less
   * (whole segments only) and may make this durable lazily: a crash may bring back compacted
   * entries, never lose uncompacted ones.
   *
   * @throws IllegalArgumentException if {@code indexInclusive > lastIndex()}
   */
  void compactUpTo(long indexInclusive) throws IOException;

  /**
   * Discards the whole log and restarts it after a snapshot that covers {@code index} with {@code
   * term}: afterwards {@code firstIndex() == index + 1}, {@code lastIndex() == index}. Used when a
   * follower installs a snapshot beyond its log. Durable on return.
   */
  void reset(long index, long term) throws IOException;
}
