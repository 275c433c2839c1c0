package io.jangada.raft.storage;

import io.jangada.raft.model.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/**
 * A {@link LogStorage} in memory that keeps the same durability contract as a file log: writes
 * since the last {@link #sync()} are pending and {@link #crash()} discards them, so tests can
 * simulate power loss. Thread-safe (every method is synchronized).
 */
public final class InMemoryLogStorage implements LogStorage {

  /** The log as readers see it, including pending writes. */
  private final Log current;

  /** The log as it would be found after a crash: the state at the last sync. */
  private final Log durable;

  /** Mutations applied to {@link #current} but not yet to {@link #durable}, in order. */
  private final List<Runnable> pendingOnDurable = new ArrayList<>();

  private boolean closed;

  /** An empty log starting at index 1. */
  public InMemoryLogStorage() {
    this.current = new Log();
    this.durable = new Log();
  }

  @Override
  public synchronized long firstIndex() {
    return current.firstIndex();
  }

  @Override
  public synchronized long lastIndex() {
    return current.lastIndex();
  }

  @Override
  public synchronized long term(long index) {
    return current.term(index);
  }

  @Override
  public synchronized List<LogEntry> entries(long fromInclusive, long toExclusive, long maxBytes) {
    return current.entries(fromInclusive, toExclusive, maxBytes);
  }

  @Override
  public synchronized void append(List<LogEntry> entries) {
    checkOpen();
    if (entries.isEmpty()) {
      return;
    }
    List<LogEntry> copy = List.copyOf(entries);
    current.checkAppend(copy);
    current.append(copy);
    pendingOnDurable.add(() -> durable.append(copy));
  }

  @Override
  public synchronized void sync() {
    checkOpen();
    pendingOnDurable.forEach(Runnable::run);
    pendingOnDurable.clear();
  }

  @Override
  public synchronized void compactUpTo(long indexInclusive) {
    checkOpen();
    if (indexInclusive > current.lastIndex()) {
      throw new IllegalArgumentException(
          "cannot compact up to " + indexInclusive + " beyond last index " + current.lastIndex());
    }
    if (indexInclusive < current.firstIndex()) {
      return;
    }
    long term = current.term(indexInclusive);
    current.compact(indexInclusive, term);
    pendingOnDurable.add(() -> durable.compact(indexInclusive, term));
  }

  @Override
  public synchronized void reset(long index, long term) {
    checkOpen();
    if (index < 0 || term < 0) {
      throw new IllegalArgumentException("bad reset point " + index + "/" + term);
    }
    pendingOnDurable.clear();
    current.reset(index, term);
    durable.reset(index, term);
  }

  /** Simulates a crash: everything not synced is lost. The storage stays usable, as if reopened. */
  public synchronized void crash() {
    pendingOnDurable.clear();
    current.copyFrom(durable);
  }

  /**
   * Simulates a crash in which the disk had already written some of the unsynced operations: a
   * random prefix of the pending mutations survives (possibly none, possibly all). The result is
   * still a state the log passed through, as after a real crash.
   */
  public synchronized void crash(RandomGenerator random) {
    int survivors = random.nextInt(pendingOnDurable.size() + 1);
    for (int i = 0; i < survivors; i++) {
      pendingOnDurable.get(i).run();
    }
    crash();
  }

  /**
   * The term of the entry at {@code index} in the durable (synced) log, or empty if the durable log
   * does not hold that index (beyond its end, or compacted). For tests that check what a crash
   * would keep.
   */
  public synchronized OptionalLong durableTerm(long index) {
    if (index < durable.firstIndex() || index > durable.lastIndex()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(durable.term(index));
  }

  /** Whether there are appended, truncated or compacted changes not yet synced. */
  public synchronized boolean hasUnsyncedChanges() {
    return !pendingOnDurable.isEmpty();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  /** Reopens a closed storage, keeping only what was durable, as a process restart would. */
  public synchronized void reopen() {
    crash();
    closed = false;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("log storage is closed");
    }
  }

  /** A log: the entries after a compacted prefix. Not thread-safe. */
  private static final class Log {
    private long snapshotIndex;
    private long snapshotTerm;
    private final ArrayList<LogEntry> entries = new ArrayList<>();

    long firstIndex() {
      return snapshotIndex + 1;
    }

    long lastIndex() {
      return snapshotIndex + entries.size();
    }

    long term(long index) {
      if (index < snapshotIndex) {
        throw new CompactedException(index, firstIndex());
      }
      if (index > lastIndex()) {
        throw new IndexOutOfBoundsException(
            "index " + index + " is beyond the last index " + lastIndex());
      }
      return index == snapshotIndex ? snapshotTerm : entries.get(offset(index)).term();
    }

    List<LogEntry> entries(long fromInclusive, long toExclusive, long maxBytes) {
      if (fromInclusive < firstIndex()) {
        throw new CompactedException(fromInclusive, firstIndex());
      }
      if (toExclusive > lastIndex() + 1 || toExclusive < fromInclusive) {
        throw new IndexOutOfBoundsException(
            "range ["
                + fromInclusive
                + ", "
                + toExclusive
                + ") is not within ["
                + firstIndex()
                + ", "
                + (lastIndex() + 1)
                + ")");
      }
      List<LogEntry> out = new ArrayList<>();
      long bytes = 0;
      for (long i = fromInclusive; i < toExclusive; i++) {
        LogEntry entry = entries.get(offset(i));
        bytes += entry.sizeBytes();
        if (!out.isEmpty() && bytes > maxBytes) {
          break;
        }
        out.add(entry);
      }
      return out;
    }

    void checkAppend(List<LogEntry> batch) {
      long first = batch.get(0).index();
      if (first < firstIndex()) {
        throw new IllegalArgumentException(
            "append at " + first + " before the first index " + firstIndex());
      }
      if (first > lastIndex() + 1) {
        throw new IllegalArgumentException(
            "append at " + first + " leaves a gap after the last index " + lastIndex());
      }
      for (int i = 1; i < batch.size(); i++) {
        if (batch.get(i).index() != first + i) {
          throw new IllegalArgumentException("entries are not contiguous at " + batch.get(i));
        }
      }
    }

    void append(List<LogEntry> batch) {
      long first = batch.get(0).index();
      int keep = offset(first);
      entries.subList(keep, entries.size()).clear();
      entries.addAll(batch);
    }

    void compact(long indexInclusive, long term) {
      if (indexInclusive <= snapshotIndex) {
        return;
      }
      if (indexInclusive > lastIndex()) {
        reset(indexInclusive, term);
        return;
      }
      entries.subList(0, offset(indexInclusive) + 1).clear();
      snapshotIndex = indexInclusive;
      snapshotTerm = term;
    }

    void reset(long index, long term) {
      entries.clear();
      snapshotIndex = index;
      snapshotTerm = term;
    }

    void copyFrom(Log other) {
      snapshotIndex = other.snapshotIndex;
      snapshotTerm = other.snapshotTerm;
      entries.clear();
      entries.addAll(other.entries);
    }

    private int offset(long index) {
      return Math.toIntExact(index - snapshotIndex - 1);
    }
  }

  @Override
  public synchronized String toString() {
    return "InMemoryLogStorage[" + current.firstIndex() + ".." + current.lastIndex() + "]";
  }
}
