package io.jangada.raft.storage;

/**
 * Thrown by {@link LogReader} when asked for an entry that was compacted into a snapshot. The core
 * reacts by sending the snapshot instead (§7).
 */
public final class CompactedException extends StorageException {

  private final long index;
  private final long firstIndex;

  public CompactedException(long index, long firstIndex) {
    super("index " + index + " is compacted; the log starts at " + firstIndex);
    this.index = index;
    this.firstIndex = firstIndex;
  }

  /** The index that was asked for. */
  public long index() {
    return index;
  }

  /** The first index the log still held. */
  public long firstIndex() {
    return firstIndex;
  }
}
