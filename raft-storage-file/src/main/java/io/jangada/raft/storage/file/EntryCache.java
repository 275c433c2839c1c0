package io.jangada.raft.storage.file;

import io.jangada.raft.model.LogEntry;

/**
 * The most recently appended entries (a contiguous suffix of the log), bounded by their total
 * {@link LogEntry#sizeBytes()}: followers and the applier usually read what was just written. Not
 * thread-safe: {@link SegmentedLog} guards it.
 */
final class EntryCache {

  private final long maxBytes;
  private LogEntry[] ring = new LogEntry[64];
  private int head;
  private int size;
  // Invariant: ring holds the entries firstIndex .. firstIndex + size - 1.
  private long firstIndex;
  private long bytes;

  EntryCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The cached entry at {@code index}, or null if it is not cached. */
  LogEntry getOrNull(long index) {
    if (size == 0 || index < firstIndex || index >= firstIndex + size) {
      return null;
    }
    return ring[(head + (int) (index - firstIndex)) & (ring.length - 1)];
  }

  /** The first cached index, or {@code Long.MAX_VALUE} if the cache is empty. */
  long firstCached() {
    return size == 0 ? Long.MAX_VALUE : firstIndex;
  }

  void append(LogEntry entry) {
    if (maxBytes == 0) {
      return;
    }
    if (size > 0 && entry.index() != firstIndex + size) {
      clear();
    }
    if (size == 0) {
      firstIndex = entry.index();
    }
    if (size == ring.length) {
      LogEntry[] bigger = new LogEntry[ring.length * 2];
      for (int i = 0; i < size; i++) {
        bigger[i] = ring[(head + i) & (ring.length - 1)];
      }
      ring = bigger;
      head = 0;
    }
    ring[(head + size) & (ring.length - 1)] = entry;
    size++;
    bytes += entry.sizeBytes();
    while (bytes > maxBytes && size > 0) {
      removeFirst();
    }
  }

  /** Forgets the entries from {@code index} on. */
  void truncateFrom(long index) {
    while (size > 0 && firstIndex + size - 1 >= index) {
      int slot = (head + size - 1) & (ring.length - 1);
      bytes -= ring[slot].sizeBytes();
      ring[slot] = null;
      size--;
    }
  }

  /** Forgets the entries up to and including {@code index}. */
  void compactTo(long index) {
    while (size > 0 && firstIndex <= index) {
      removeFirst();
    }
  }

  void clear() {
    truncateFrom(Long.MIN_VALUE);
  }

  private void removeFirst() {
    bytes -= ring[head].sizeBytes();
    ring[head] = null;
    head = (head + 1) & (ring.length - 1);
    size--;
    firstIndex++;
  }
}
