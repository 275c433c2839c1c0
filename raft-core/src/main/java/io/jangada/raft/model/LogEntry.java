package io.jangada.raft.model;

import java.util.Objects;

/**
 * One entry of the replicated log. Immutable.
 *
 * @param index position in the log, starting at 1
 * @param term the leader term in which the entry was created, at least 1
 * @param type what the entry carries
 * @param data the command, or the encoded membership; empty for {@link EntryType#NOOP}
 */
public record LogEntry(long index, long term, EntryType type, Bytes data) {

  /** Fixed per-entry overhead counted by {@link #sizeBytes()} (index, term, type, length). */
  public static final int OVERHEAD_BYTES = 8 + 8 + 1 + 4;

  public LogEntry {
    if (index < 1) {
      throw new IllegalArgumentException("entry index must be >= 1, got " + index);
    }
    if (term < 1) {
      throw new IllegalArgumentException("entry term must be >= 1, got " + term);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  /** A command entry. */
  public static LogEntry command(long index, long term, Bytes command) {
    return new LogEntry(index, term, EntryType.COMMAND, command);
  }

  /** A leader's no-op entry. */
  public static LogEntry noop(long index, long term) {
    return new LogEntry(index, term, EntryType.NOOP, Bytes.EMPTY);
  }

  /** A membership entry. */
  public static LogEntry membership(long index, long term, Membership membership) {
    return new LogEntry(index, term, EntryType.MEMBERSHIP, membership.encode());
  }

  /** The approximate encoded size, used for batching limits. */
  public long sizeBytes() {
    return OVERHEAD_BYTES + data.size();
  }
}
