package io.jangada.raft.internal;

/**
 * When a node takes snapshots and how it sends them.
 *
 * @param threshold take a snapshot automatically once this many entries were applied since the last
 *     one; 0 disables the entry count trigger
 * @param thresholdBytes take a snapshot automatically once entries of this many bytes in all (as
 *     {@link io.jangada.raft.model.LogEntry#sizeBytes()} counts them) were applied since the last
 *     one; 0 disables the byte trigger. With both triggers 0, only explicit snapshots are taken.
 * @param trailingEntries how many entries before the snapshot index stay in the log after
 *     compaction, so that slightly lagging followers catch up from the log
 * @param chunkBytes the size of one InstallSnapshot chunk
 * @param window how many chunks may be unacknowledged at once
 */
public record SnapshotPolicy(
    long threshold, long thresholdBytes, long trailingEntries, int chunkBytes, int window) {

  /**
   * Snapshot every 100,000 entries or 64 MiB of entries, whichever comes first; keep 1,000 entries;
   * 1 MiB chunks, 4 in flight.
   */
  public static final SnapshotPolicy DEFAULT =
      new SnapshotPolicy(100_000, 64L << 20, 1_000, 1 << 20, 4);

  public SnapshotPolicy {
    if (threshold < 0) {
      throw new IllegalArgumentException("snapshot threshold must be >= 0, got " + threshold);
    }
    if (thresholdBytes < 0) {
      throw new IllegalArgumentException(
          "snapshot byte threshold must be >= 0, got " + thresholdBytes);
    }
    if (trailingEntries < 0) {
      throw new IllegalArgumentException(
          "snapshot trailing entries must be >= 0, got " + trailingEntries);
    }
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("snapshot chunk size must be >= 1, got " + chunkBytes);
    }
    if (window < 1) {
      throw new IllegalArgumentException("snapshot window must be >= 1, got " + window);
    }
  }

  /**
   * Whether {@code entries} entries of {@code bytes} bytes applied since the last snapshot call for
   * a new one.
   */
  boolean due(long entries, long bytes) {
    return (threshold > 0 && entries >= threshold)
        || (thresholdBytes > 0 && bytes >= thresholdBytes);
  }
}
