package io.jangada.raft.core;

import io.jangada.raft.model.ImmutableArray;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Log entries the driver has not yet confirmed durable: appended by the core, handed out in a
 * {@link Ready}, and dropped from here by {@link #stableTo} once the driver advanced that Ready.
 * Entries here shadow any stored entry at the same or a later index.
 *
 * <p>It may also hold a snapshot received from the leader that the driver has not installed yet:
 * until then it shadows the whole stored log (etcd's unstable snapshot).
 */
final class Unstable {

  // Invariant: entries are contiguous from offset; offset >= 1.
  private long offset;
  private final ArrayList<LogEntry> entries = new ArrayList<>();

  // Entries with index <= handedOutTo were handed out in a Ready that is not advanced yet.
  // Invariant: handedOutTo < offset + entries.size().
  private long handedOutTo;

  // A received snapshot not yet installed by the driver; entries (if any) follow it directly.
  // Invariant: if present, offset == snapshot.index() + 1.
  private Optional<SnapshotMeta> snapshot = Optional.empty();
  private boolean snapshotHandedOut;

  Unstable(long offset) {
    this.offset = offset;
    this.handedOutTo = offset - 1;
  }

  long offset() {
    return offset;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The last unstable index; only meaningful when not empty. */
  long lastIndex() {
    return offset + entries.size() - 1;
  }

  boolean contains(long index) {
    return index >= offset && index < offset + entries.size();
  }

  LogEntry get(long index) {
    return entries.get(Math.toIntExact(index - offset));
  }

  /** Entries in {@code [from, to)}, which must lie within this buffer. */
  List<LogEntry> slice(long from, long to) {
    return entries.subList(Math.toIntExact(from - offset), Math.toIntExact(to - offset));
  }

  /** Appends {@code batch}, first discarding every entry at or after its first index. */
  void truncateAndAppend(List<LogEntry> batch) {
    long first = batch.get(0).index();
    if (first == offset + entries.size()) {
      entries.addAll(batch);
    } else if (first <= offset) {
      offset = first;
      entries.clear();
      entries.addAll(batch);
    } else {
      entries.subList(Math.toIntExact(first - offset), entries.size()).clear();
      entries.addAll(batch);
    }
    handedOutTo = Math.min(handedOutTo, first - 1);
  }

  /** Entries not yet handed out in a Ready; marks them handed out. */
  List<LogEntry> takeNotHandedOut() {
    long from = Math.max(handedOutTo + 1, offset);
    if (isEmpty() || from > lastIndex()) {
      return ImmutableArray.of();
    }
    List<LogEntry> out = ImmutableArray.copyOf(slice(from, lastIndex() + 1));
    handedOutTo = lastIndex();
    return out;
  }

  boolean hasNotHandedOut() {
    return !isEmpty() && Math.max(handedOutTo + 1, offset) <= lastIndex();
  }

  /** The snapshot waiting to be installed by the driver, if any. */
  Optional<SnapshotMeta> snapshot() {
    return snapshot;
  }

  /** Replaces everything with {@code meta}: the log now continues at {@code meta.index() + 1}. */
  void restore(SnapshotMeta meta) {
    snapshot = Optional.of(meta);
    snapshotHandedOut = false;
    entries.clear();
    offset = meta.index() + 1;
    handedOutTo = meta.index();
  }

  /** The pending snapshot if it was not handed out in a Ready yet; marks it handed out. */
  Optional<SnapshotMeta> takeSnapshotNotHandedOut() {
    if (snapshot.isEmpty() || snapshotHandedOut) {
      return Optional.empty();
    }
    snapshotHandedOut = true;
    return snapshot;
  }

  boolean hasSnapshotNotHandedOut() {
    return snapshot.isPresent() && !snapshotHandedOut;
  }

  /** The driver installed {@code meta}: forget it unless a newer snapshot replaced it meanwhile. */
  void stableSnapshot(SnapshotMeta meta) {
    if (snapshot.equals(Optional.of(meta))) {
      snapshot = Optional.empty();
      snapshotHandedOut = false;
    }
  }

  /**
   * The entry {@code (index, term)} and everything before it are durable. Ignored unless this
   * buffer still holds exactly that entry (it may have been replaced meanwhile, as in etcd's
   * stableTo).
   */
  boolean stableTo(long index, long term) {
    if (!contains(index) || get(index).term() != term) {
      return false;
    }
    entries.subList(0, Math.toIntExact(index - offset + 1)).clear();
    offset = index + 1;
    handedOutTo = Math.max(handedOutTo, index);
    return true;
  }
}
