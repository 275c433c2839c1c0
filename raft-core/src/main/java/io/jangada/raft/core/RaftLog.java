package io.jangada.raft.core;

import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.CompactedException;
import io.jangada.raft.storage.LogReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of the log: the driver's {@link LogReader} overlaid with the {@link Unstable}
 * entries the driver has not yet confirmed durable, plus the commit index. A snapshot received from
 * the leader and not yet installed by the driver ({@link Unstable#snapshot()}) replaces the stored
 * log in this view: first index {@code snapshot.index + 1}, its term at {@code snapshot.index},
 * nothing stored before or after it.
 */
final class RaftLog {

  private final LogReader storage;
  private final Unstable unstable;

  // Invariant: firstIndex() - 1 <= committed <= lastIndex(); never decreases.
  private long committed;

  RaftLog(LogReader storage, long committed) {
    this.storage = storage;
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = committed;
  }

  long firstIndex() {
    if (unstable.snapshot().isPresent()) {
      return unstable.snapshot().get().index() + 1;
    }
    return storage.firstIndex();
  }

  long lastIndex() {
    if (!unstable.isEmpty()) {
      return unstable.lastIndex();
    }
    if (unstable.snapshot().isPresent()) {
      return unstable.snapshot().get().index();
    }
    return Math.min(storage.lastIndex(), unstable.offset() - 1);
  }

  /** The last index known durable: what the driver persisted and confirmed via advance. */
  long stableLastIndex() {
    if (unstable.snapshot().isPresent()) {
      // Nothing of the new log is durable before the driver installs the snapshot.
      return unstable.snapshot().get().index() - 1;
    }
    return Math.min(storage.lastIndex(), unstable.offset() - 1);
  }

  long committed() {
    return committed;
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /**
   * The term at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}.
   *
   * @throws CompactedException below that range
   */
  long term(long index) {
    if (unstable.contains(index)) {
      return unstable.get(index).term();
    }
    if (index > lastIndex()) {
      throw new IndexOutOfBoundsException("index " + index + " beyond last index " + lastIndex());
    }
    if (unstable.snapshot().isPresent()) {
      SnapshotMeta snapshot = unstable.snapshot().get();
      if (index == snapshot.index()) {
        return snapshot.term();
      }
      throw new CompactedException(index, snapshot.index() + 1);
    }
    return storage.term(index);
  }

  /** Whether the log holds {@code (index, term)}; false if the index is out of range. */
  boolean matchTerm(long index, long term) {
    if (index > lastIndex()) {
      return false;
    }
    try {
      return term(index) == term;
    } catch (CompactedException e) {
      return false;
    }
  }

  /** §5.4.1: whether a log ending at {@code (index, term)} is at least as up-to-date as ours. */
  boolean isUpToDate(long index, long term) {
    long lastTerm = lastTerm();
    return term > lastTerm || (term == lastTerm && index >= lastIndex());
  }

  /**
   * Entries in {@code [from, to)}, stopping once their size would exceed {@code maxBytes} (at least
   * one if the range is not empty).
   *
   * @throws CompactedException if {@code from < firstIndex()}
   */
  List<LogEntry> entries(long from, long to, long maxBytes) {
    Check.state(to <= lastIndex() + 1, "entries beyond the last index");
    if (from >= to) {
      return List.of();
    }
    if (from < firstIndex()) {
      throw new CompactedException(from, firstIndex());
    }
    List<LogEntry> out = new ArrayList<>();
    long bytes = 0;
    long split = unstable.isEmpty() ? to : Math.min(to, unstable.offset());
    if (from < split) {
      for (LogEntry e : storage.entries(from, split, maxBytes)) {
        bytes += e.sizeBytes();
        if (!out.isEmpty() && bytes > maxBytes) {
          return out;
        }
        out.add(e);
      }
      if (out.size() < split - from) {
        return out;
      }
    }
    for (long i = Math.max(from, split); i < to; i++) {
      LogEntry e = unstable.get(i);
      bytes += e.sizeBytes();
      if (!out.isEmpty() && bytes > maxBytes) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /** The first index whose entry conflicts with (or is missing from) our log, or 0 if none. */
  long findConflict(List<LogEntry> entries) {
    for (LogEntry e : entries) {
      if (!matchTerm(e.index(), e.term())) {
        return e.index();
      }
    }
    return 0;
  }

  /**
   * The first index of the run of entries with the same term as {@code index}, not below commit.
   */
  long firstIndexOfTermAt(long index) {
    long term = term(index);
    long i = index;
    long floor = Math.max(committed + 1, firstIndex());
    while (i > floor && term(i - 1) == term) {
      i--;
    }
    return i;
  }

  /**
   * The last index at or below {@code from} whose term is at most {@code term}, not going below
   * {@code floor}.
   */
  long lastIndexWithTermAtMost(long from, long term, long floor) {
    long i = Math.min(from, lastIndex());
    long lowest = Math.max(floor, firstIndex() - 1);
    while (i > lowest && term(i) > term) {
      i--;
    }
    return i;
  }

  /** Appends entries (which may replace an uncommitted suffix). Returns the new last index. */
  long append(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return lastIndex();
    }
    long first = entries.get(0).index();
    // Messages are built only on failure: this runs for every append.
    if (first <= committed) {
      throw Check.violated(
          "truncating committed entries: append at " + first + " with commit " + committed);
    }
    if (first > lastIndex() + 1) {
      throw Check.violated("append at " + first + " leaves a gap after " + lastIndex());
    }
    unstable.truncateAndAppend(entries);
    return lastIndex();
  }

  /**
   * Adopts a snapshot received from the leader: the whole log is replaced by it (in this view at
   * once, in storage once the driver installs it) and everything up to it counts as committed.
   */
  void restore(SnapshotMeta snapshot) {
    Check.state(
        snapshot.index() > committed,
        "restoring snapshot " + snapshot.index() + " at or below commit " + committed);
    unstable.restore(snapshot);
    committed = snapshot.index();
  }

  void commitTo(long index) {
    if (index > committed) {
      if (index > lastIndex()) {
        throw Check.violated("commit " + index + " beyond last index " + lastIndex());
      }
      committed = index;
    }
  }

  Unstable unstable() {
    return unstable;
  }
}
