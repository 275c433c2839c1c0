package io.jangada.raft.storage.file;

/**
 * Settings of a {@link FileStorage}. Immutable; build with {@link #builder()}, whose defaults suit
 * production.
 *
 * @param segmentSizeBytes the size at which the log's open segment is closed and a new one begun
 * @param snapshotsToRetain how many committed snapshots to keep, newest first
 * @param entryCacheBytes the budget (sum of {@code LogEntry.sizeBytes()}) of recently appended
 *     entries kept in the heap; 0 disables the cache
 */
public record FileStorageOptions(
    long segmentSizeBytes, int snapshotsToRetain, long entryCacheBytes) {

  /** 64 MiB. */
  public static final long DEFAULT_SEGMENT_SIZE_BYTES = 64L << 20;

  /** Two snapshots: the newest and the one before, in case the newest is being sent. */
  public static final int DEFAULT_SNAPSHOTS_TO_RETAIN = 2;

  /** 8 MiB of recent entries. */
  public static final long DEFAULT_ENTRY_CACHE_BYTES = 8L << 20;

  /** The smallest segment size accepted (tiny segments are for tests). */
  public static final long MIN_SEGMENT_SIZE_BYTES = 128;

  /** The largest segment size accepted: record offsets are kept as ints. */
  public static final long MAX_SEGMENT_SIZE_BYTES = 1L << 30;

  /**
   * @throws IllegalArgumentException naming the setting if a value is out of range
   */
  public FileStorageOptions {
    if (segmentSizeBytes < MIN_SEGMENT_SIZE_BYTES || segmentSizeBytes > MAX_SEGMENT_SIZE_BYTES) {
      throw new IllegalArgumentException(
          "segmentSizeBytes must be between "
              + MIN_SEGMENT_SIZE_BYTES
              + " and "
              + MAX_SEGMENT_SIZE_BYTES
              + ", got "
              + segmentSizeBytes);
    }
    if (snapshotsToRetain < 1) {
      throw new IllegalArgumentException(
          "snapshotsToRetain must be at least 1, got " + snapshotsToRetain);
    }
    if (entryCacheBytes < 0) {
      throw new IllegalArgumentException(
          "entryCacheBytes must be >= 0 (0 disables the cache), got " + entryCacheBytes);
    }
  }

  /** The defaults. */
  public static FileStorageOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder()
        .segmentSizeBytes(segmentSizeBytes)
        .snapshotsToRetain(snapshotsToRetain)
        .entryCacheBytes(entryCacheBytes);
  }

  /** Builds {@link FileStorageOptions}; validation happens in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private long segmentSizeBytes = DEFAULT_SEGMENT_SIZE_BYTES;
    private int snapshotsToRetain = DEFAULT_SNAPSHOTS_TO_RETAIN;
    private long entryCacheBytes = DEFAULT_ENTRY_CACHE_BYTES;

    private Builder() {}

    /** Size at which the open log segment is closed (default 64 MiB, at least 128 bytes). */
    public Builder segmentSizeBytes(long value) {
      this.segmentSizeBytes = value;
      return this;
    }

    /** How many committed snapshots to keep (default 2, at least 1). */
    public Builder snapshotsToRetain(int value) {
      this.snapshotsToRetain = value;
      return this;
    }

    /** Heap budget for recently appended entries (default 8 MiB; 0 disables the cache). */
    public Builder entryCacheBytes(long value) {
      this.entryCacheBytes = value;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting if a value is out of range
     */
    public FileStorageOptions build() {
      return new FileStorageOptions(segmentSizeBytes, snapshotsToRetain, entryCacheBytes);
    }
  }
}
