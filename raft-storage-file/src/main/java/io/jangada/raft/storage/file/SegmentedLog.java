package io.jangada.raft.storage.file;

import io.jangada.raft.model.LogEntry;
import io.jangada.raft.storage.CompactedException;
import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.StorageException;
import io.jangada.raft.storage.file.FileIo.IoFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * The durable Raft log as a directory of segment files (see {@link RecordFormat}). Appends are
 * written to the open segment without forcing; {@link #sync()} forces them (group commit).
 * Truncation, compaction and reset are durable on return. Only a compact index and a bounded cache
 * of recent entries live in the heap.
 *
 * <p>Thread-safety: one writer thread; readers on other threads share a read-write lock with it.
 * The disk work of appends (including rolling to a new segment: two fsyncs and a directory sync),
 * of {@link #sync()} and of {@link #compactUpTo} runs outside the lock, so readers do not wait for
 * it; truncation and reset (both rare) still do their disk work under the lock. {@link
 * #firstIndex()} and {@link #lastIndex()} take no lock: they read volatile copies that every change
 * updates before it releases the write lock.
 */
final class SegmentedLog implements LogStorage {

  private final FileIo io;
  private final Path dir;
  private final long segmentSize;
  private final boolean readOnly;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final EntryCache cache;
  private final List<String> recoveryNotes;

  // Guarded by lock. Invariant: contiguous, ascending; only the last may be unsealed.
  private final ArrayList<Segment> segments;
  private long generation;
  // Invariant: firstIndex() == compactIndex + 1; segments may still hold entries <= compactIndex.
  private long compactIndex;
  private long compactTerm;
  // firstIndex() and lastIndex() as of the last write-locked change, for readers without the lock:
  // the node's loop asks for them several times a round, and taking the read lock cost it two
  // CASes on the lock every append takes, and its code in every compiled caller (PROFILE.md).
  // Written under the write lock (in the same critical section as the change, before the unlock).
  private volatile long publishedFirst;
  private volatile long publishedLast;
  private ByteBuffer writeBuffer = ByteBuffer.allocate(64 * 1024);
  private final CRC32C recordCrc = new CRC32C(); // writer thread only, like writeBuffer
  private boolean closed;
  private Throwable failure;

  private SegmentedLog(
      FileIo io,
      Path dir,
      long segmentSize,
      long cacheBytes,
      boolean readOnly,
      LogRecovery.Recovered recovered) {
    this.io = io;
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.readOnly = readOnly;
    this.cache = new EntryCache(cacheBytes);
    this.segments = new ArrayList<>(recovered.segments());
    this.generation = recovered.meta().generation();
    this.compactIndex = recovered.meta().compactIndex();
    this.compactTerm = recovered.meta().compactTerm();
    this.recoveryNotes = recovered.notes();
    publishBounds();
  }

  /**
   * Opens (creating if needed) the log in {@code dir} and recovers it.
   *
   * @param readOnly report problems but change nothing on disk (for tools); appends then fail
   * @throws IOException naming the file and offset if the log is corrupt
   */
  static SegmentedLog open(FileIo io, Path dir, long segmentSize, long cacheBytes, boolean readOnly)
      throws IOException {
    if (!readOnly) {
      io.createDirectories(dir);
    }
    LogRecovery.Recovered recovered = LogRecovery.recover(io, dir, readOnly);
    return new SegmentedLog(io, dir, segmentSize, cacheBytes, readOnly, recovered);
  }

  /** What recovery did or found (torn tails cut, leftovers removed), for tools and tests. */
  List<String> recoveryNotes() {
    return recoveryNotes;
  }

  /** The segments' file names and index ranges, for tools. */
  List<String> describeSegments() {
    lock.readLock().lock();
    try {
      List<String> out = new ArrayList<>();
      for (Segment s : segments) {
        out.add(s.describe());
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Without the lock: the value of the last completed change (a volatile read). */
  @Override
  public long firstIndex() {
    return publishedFirst;
  }

  /** Without the lock: the value of the last completed change (a volatile read). */
  @Override
  public long lastIndex() {
    return publishedLast;
  }

  /** Makes {@link #firstIndex()} and {@link #lastIndex()} see the current state. Under the lock. */
  private void publishBounds() {
    publishedFirst = compactIndex + 1;
    publishedLast = lastIndexLocked();
  }

  private long lastIndexLocked() {
    return segments.isEmpty()
        ? compactIndex
        : Math.max(compactIndex, segments.get(segments.size() - 1).last());
  }

  @Override
  public long term(long index) {
    lock.readLock().lock();
    try {
      checkReadable();
      return termLocked(index);
    } finally {
      lock.readLock().unlock();
    }
  }

  private long termLocked(long index) {
    if (index < compactIndex) {
      throw new CompactedException(index, compactIndex + 1);
    }
    long last = lastIndexLocked();
    if (index > last) {
      throw new IndexOutOfBoundsException("index " + index + " is beyond the last index " + last);
    }
    if (index == compactIndex) {
      return compactTerm;
    }
    LogEntry cached = cache.getOrNull(index);
    return cached != null ? cached.term() : segmentFor(index).term(index);
  }

  @Override
  public List<LogEntry> entries(long fromInclusive, long toExclusive, long maxBytes) {
    lock.readLock().lock();
    try {
      checkReadable();
      long first = compactIndex + 1;
      long last = lastIndexLocked();
      if (fromInclusive < first) {
        throw new CompactedException(fromInclusive, first);
      }
      if (toExclusive > last + 1 || toExclusive < fromInclusive) {
        throw new IndexOutOfBoundsException(
            "range ["
                + fromInclusive
                + ", "
                + toExclusive
                + ") is not within ["
                + first
                + ", "
                + (last + 1)
                + ")");
      }
      // Sized for the range (capped): one or a few entries are the usual request.
      List<LogEntry> out = new ArrayList<>((int) Math.min(toExclusive - fromInclusive, 64));
      long[] bytes = {0};
      long i = fromInclusive;
      while (i < toExclusive) {
        LogEntry cached = cache.getOrNull(i);
        if (cached != null) {
          bytes[0] += cached.sizeBytes();
          if (!out.isEmpty() && bytes[0] > maxBytes) {
            break;
          }
          out.add(cached);
          i++;
          continue;
        }
        long stop = Math.min(toExclusive, cache.firstCached());
        long next = segmentFor(i).read(i, stop, maxBytes, bytes, out);
        if (next == i) {
          break; // the byte budget is used up
        }
        i = next;
      }
      return out;
    } catch (IOException e) {
      throw new StorageException("cannot read the log in " + dir + ": " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  private Segment segmentFor(long index) {
    int lo = 0;
    int hi = segments.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (segments.get(mid).first <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    Segment s = segments.get(lo);
    if (!s.contains(index)) {
      throw new IllegalStateException("no segment holds index " + index + " in " + segments);
    }
    return s;
  }

  @Override
  public void append(List<LogEntry> entries) throws IOException {
    if (entries.isEmpty()) {
      checkOpen();
      return;
    }
    long first = entries.get(0).index();
    for (LogEntry e : entries) {
      if (e.data().size() > RecordFormat.MAX_PAYLOAD - RecordFormat.PAYLOAD_FIXED) {
        throw new IllegalArgumentException(
            "entry " + e.index() + " of " + e.data().size() + " bytes is too large for the log");
      }
    }
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).index() != first + i) {
        throw new IllegalArgumentException("entries are not contiguous at " + entries.get(i));
      }
    }
    lock.writeLock().lock();
    try {
      checkWritable();
      long last = lastIndexLocked();
      if (first <= compactIndex) {
        throw new IllegalArgumentException(
            "append at " + first + " before the first index " + (compactIndex + 1));
      }
      if (first > last + 1) {
        throw new IllegalArgumentException(
            "append at " + first + " leaves a gap after the last index " + last);
      }
      if (first <= last) {
        // Rare (a new leader replaced our tail): readers see the cut and the new entries together.
        try {
          truncateFrom(first);
          publish(entries, stage(entries));
        } catch (IOException | RuntimeException e) {
          failure = e;
          throw e;
        }
        return;
      }
    } finally {
      publishBounds(); // after a truncation, also when what followed it failed
      lock.writeLock().unlock();
    }
    // The common case: the disk work runs outside the lock, so a segment roll's fsyncs do not
    // stall the readers (the loop reads the first and last index and terms on every round). Only
    // this (writer) thread changes the segments; readers see the new entries once published.
    try {
      List<Span> spans = stage(entries);
      lock.writeLock().lock();
      try {
        publish(entries, spans);
      } finally {
        publishBounds();
        lock.writeLock().unlock();
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  /**
   * Entries {@code from .. to - 1} of one append written to {@code segment}; {@code created} if the
   * append created the segment, {@code sealedAs} the closed name it was renamed to if it filled up.
   */
  private record Span(Segment segment, int from, int to, boolean created, Path sealedAs) {}

  /**
   * Writes the records of {@code entries} after the last one, rolling to new segments as they fill
   * up (each full one forced and renamed closed before the next is created, the directory synced
   * before returning), without touching what readers see: the in-memory index changes are returned
   * for {@link #publish}. Writer thread only; the lock need not be held.
   */
  private List<Span> stage(List<LogEntry> entries) throws IOException {
    List<Span> spans = new ArrayList<>(2);
    Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
    boolean created = last == null || last.sealed();
    Segment seg = created ? createSegmentFile(entries.get(0).index()) : last;
    long end = seg.end();
    int count = seg.count();
    int spanFrom = 0;
    long writeAt = end;
    writeBuffer.clear();
    for (int i = 0; i < entries.size(); i++) {
      LogEntry e = entries.get(i);
      int frame = RecordFormat.frameSize(e);
      if (count > 0 && end + frame > segmentSize) {
        flush(seg, writeAt);
        Path closed = seal(seg, seg.first + count - 1);
        spans.add(new Span(seg, spanFrom, i, created, closed));
        seg = createSegmentFile(seg.first + count);
        created = true;
        end = seg.end();
        count = 0;
        spanFrom = i;
        writeAt = end;
      }
      if (writeBuffer.remaining() < frame) {
        if (writeBuffer.position() > 0 && frame <= writeBuffer.capacity()) {
          flush(seg, writeAt);
          writeAt = end;
        } else {
          ByteBuffer bigger =
              ByteBuffer.allocate(
                  Math.max(writeBuffer.capacity() * 2, writeBuffer.position() + frame));
          writeBuffer.flip();
          bigger.put(writeBuffer);
          writeBuffer = bigger;
        }
      }
      RecordFormat.writeRecord(writeBuffer, e, recordCrc);
      end += frame;
      count++;
    }
    flush(seg, writeAt);
    spans.add(new Span(seg, spanFrom, entries.size(), created, null));
    if (spans.size() > 1 || created) {
      io.syncDirectory(dir); // the renames and the new files, before any sync() acknowledges
    }
    return spans;
  }

  /** Makes what {@link #stage} wrote visible to readers. Under the write lock. */
  private void publish(List<LogEntry> entries, List<Span> spans) {
    for (Span span : spans) {
      if (span.created()) {
        segments.add(span.segment());
      }
      for (int i = span.from(); i < span.to(); i++) {
        LogEntry e = entries.get(i);
        span.segment().add(e.term(), RecordFormat.frameSize(e));
      }
      if (span.sealedAs() != null) {
        span.segment().seal(span.sealedAs());
      }
    }
    for (LogEntry e : entries) {
      cache.append(e);
    }
  }

  private void flush(Segment segment, long position) throws IOException {
    writeBuffer.flip();
    if (writeBuffer.hasRemaining()) {
      segment.file().write(writeBuffer, position);
      segment.dirty = true;
    }
    writeBuffer.clear();
  }

  /**
   * Closes a full segment durably: forced, then renamed to its closed name (made durable by the
   * caller's directory sync). The in-memory segment is sealed when published.
   */
  private Path seal(Segment full, long lastIndex) throws IOException {
    full.file().force();
    full.dirty = false;
    Path closedPath = dir.resolve(SegmentName.closed(full.first, lastIndex).fileName());
    io.rename(full.path(), closedPath);
    return closedPath;
  }

  /** A new open segment file starting at {@code first}, its header forced; not yet listed. */
  private Segment createSegmentFile(long first) throws IOException {
    Path path = dir.resolve(SegmentName.open(first).fileName());
    IoFile file = io.create(path);
    try {
      file.write(RecordFormat.header(generation, first), 0);
      file.force();
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
    return new Segment(path, file, generation, first, false);
  }

  /**
   * Discards the entries from {@code index} on, durably before anything new is written: otherwise a
   * crash could keep new records with stale ones behind them.
   */
  private void truncateFrom(long index) throws IOException {
    cache.truncateFrom(index);
    while (segments.get(segments.size() - 1).first > index) {
      Segment doomed = segments.remove(segments.size() - 1);
      doomed.close();
      io.delete(doomed.path());
      // Newest first, each deletion durable: a crash leaves a prefix of the log, never a gap.
      io.syncDirectory(dir);
    }
    Segment s = segments.get(segments.size() - 1);
    long offset = s.contains(index) ? s.offset(index) : s.end();
    s.dropFrom(index);
    s.file().truncate(offset);
    s.file().force();
    s.dirty = false;
    if (s.sealed()) {
      Path openPath = dir.resolve(SegmentName.open(s.first).fileName());
      io.rename(s.path(), openPath);
      s.unseal(openPath);
      io.syncDirectory(dir);
    }
  }

  @Override
  public void sync() throws IOException {
    List<IoFile> toForce;
    lock.writeLock().lock();
    try {
      checkWritable();
      toForce = takeDirtyLocked();
    } finally {
      lock.writeLock().unlock();
    }
    try {
      // Outside the lock: readers go on while the disk works. Only this (writer) thread changes
      // the set of segments, so the files stay open.
      for (IoFile f : toForce) {
        f.force();
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  /** The files of the segments written since their last force, marked clean. Under the lock. */
  private List<IoFile> takeDirtyLocked() {
    List<IoFile> dirty = List.of(); // mostly none or only the last segment: no list to grow
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      if (s.dirty) {
        if (dirty.isEmpty()) {
          dirty = List.of(s.file());
        } else {
          if (dirty.size() == 1) {
            dirty = new ArrayList<>(dirty);
          }
          dirty.add(s.file());
        }
        s.dirty = false;
      }
    }
    return dirty;
  }

  /**
   * Compacts as {@link LogStorage#compactUpTo} says. The disk work (forcing the dirty segments, the
   * meta file, deleting the segments behind the new first index) runs outside the lock: the node's
   * loop reads the first and last index and terms on every round, and a compaction that held the
   * lock across those fsyncs while a snapshot was being written to the same disk blocked every
   * node's loop for up to 0.6 s, long enough to depose the leader (issue 16, W4). Only this
   * (writer) thread changes the segments, so they stay as seen between the two short locked
   * sections; readers see the old first index until the meta file is durable.
   */
  @Override
  public void compactUpTo(long indexInclusive) throws IOException {
    long term;
    List<IoFile> toForce;
    lock.writeLock().lock();
    try {
      checkWritable();
      long last = lastIndexLocked();
      if (indexInclusive > last) {
        throw new IllegalArgumentException(
            "cannot compact up to " + indexInclusive + " beyond last index " + last);
      }
      if (indexInclusive <= compactIndex) {
        return;
      }
      term = termLocked(indexInclusive);
      toForce = takeDirtyLocked();
    } finally {
      lock.writeLock().unlock();
    }
    try {
      // Entries up to the new first index must be durable before the meta says they are gone.
      for (IoFile f : toForce) {
        f.force();
      }
      new LogMeta(generation, indexInclusive, term).write(io, dir);
      List<Segment> doomed = new ArrayList<>();
      lock.writeLock().lock();
      try {
        compactIndex = indexInclusive;
        compactTerm = term;
        cache.compactTo(indexInclusive);
        while (!segments.isEmpty() && segments.get(0).last() <= indexInclusive) {
          doomed.add(segments.remove(0));
        }
      } finally {
        publishBounds();
        lock.writeLock().unlock();
      }
      // No reader can reach these segments any more: they left the list under the write lock.
      for (Segment s : doomed) {
        s.close();
        io.delete(s.path()); // a crash may bring it back; recovery deletes it again
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public void reset(long index, long term) throws IOException {
    if (index < 0 || term < 0) {
      throw new IllegalArgumentException("bad reset point " + index + "/" + term);
    }
    lock.writeLock().lock();
    try {
      checkWritable();
      try {
        // The meta file is the commit point: once it names the new generation, every older
        // segment is stale, whether or not its deletion below reached the disk.
        new LogMeta(generation + 1, index, term).write(io, dir);
        generation++;
        compactIndex = index;
        compactTerm = term;
        cache.clear();
        for (Segment s : segments) {
          s.close();
          io.delete(s.path());
        }
        segments.clear();
        io.syncDirectory(dir);
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
    } finally {
      publishBounds();
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() throws IOException {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      IOException first = null;
      for (Segment s : segments) {
        try {
          s.close();
        } catch (IOException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("log storage " + dir + " is closed");
    }
  }

  private void checkReadable() {
    if (closed) {
      throw new StorageException("log storage " + dir + " is closed");
    }
  }

  private void checkWritable() throws IOException {
    checkOpen();
    if (readOnly) {
      throw new IllegalStateException("log storage " + dir + " is open read-only");
    }
    if (failure != null) {
      throw new IOException("log storage " + dir + " failed earlier and is unusable", failure);
    }
  }

  @Override
  public String toString() {
    return "SegmentedLog[" + dir + " " + firstIndex() + ".." + lastIndex() + "]";
  }
}
