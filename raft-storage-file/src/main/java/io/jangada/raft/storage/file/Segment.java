package io.jangada.raft.storage.file;

import io.jangada.raft.model.LogEntry;
import io.jangada.raft.storage.StorageException;
import io.jangada.raft.storage.file.FileIo.IoFile;
import io.jangada.raft.storage.file.RecordFormat.BadDataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One segment file and its compact in-memory index: the file offset of every record (an int per
 * entry) and the terms as runs ({@code runStart[k]} is the first index of a run of entries with
 * {@code runTerm[k]}). Entries themselves stay on disk. Not thread-safe: {@link SegmentedLog}
 * guards it.
 */
final class Segment {

  private static final int MAX_READ_CHUNK = 4 << 20;

  final long first;
  final long generation;
  private Path path;
  private final IoFile file;
  private boolean sealed;

  // Invariant: offsets[0..count) ascending, offsets[0] == HEADER_SIZE when count > 0.
  private int[] offsets;
  private int count;
  // Invariant: the end of the last record; records occupy [HEADER_SIZE, end).
  private long end;

  private long[] runStart = new long[4];
  private long[] runTerm = new long[4];
  private int runs;

  /** Whether the file holds writes that were not forced yet. */
  boolean dirty;

  Segment(Path path, IoFile file, long generation, long first, boolean sealed) {
    this.path = path;
    this.file = file;
    this.generation = generation;
    this.first = first;
    this.sealed = sealed;
    this.offsets = new int[1024];
    this.end = RecordFormat.HEADER_SIZE;
  }

  Path path() {
    return path;
  }

  IoFile file() {
    return file;
  }

  boolean sealed() {
    return sealed;
  }

  int count() {
    return count;
  }

  long end() {
    return end;
  }

  /** The last index held, {@code first - 1} when empty. */
  long last() {
    return first + count - 1;
  }

  boolean contains(long index) {
    return index >= first && index <= last();
  }

  /** Records that the entry {@code first + count} with {@code term} was written at {@code end}. */
  void add(long term, int frameSize) {
    if (count == offsets.length) {
      offsets = Arrays.copyOf(offsets, count * 2);
    }
    offsets[count] = (int) end;
    long index = first + count;
    count++;
    end += frameSize;
    if (runs == 0 || runTerm[runs - 1] != term) {
      if (runs == runStart.length) {
        runStart = Arrays.copyOf(runStart, runs * 2);
        runTerm = Arrays.copyOf(runTerm, runs * 2);
      }
      runStart[runs] = index;
      runTerm[runs] = term;
      runs++;
    }
  }

  long term(long index) {
    int lo = 0;
    int hi = runs - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (runStart[mid] <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return runTerm[lo];
  }

  /** The file offset of the record of {@code index}. */
  long offset(long index) {
    return offsets[(int) (index - first)];
  }

  /** The end offset of the record of {@code index}. */
  long endOffset(long index) {
    int k = (int) (index - first);
    return k + 1 < count ? offsets[k + 1] : end;
  }

  /** Forgets the records from {@code index} on (the file is cut by the caller). */
  void dropFrom(long index) {
    int k = (int) (index - first);
    if (k >= count) {
      return;
    }
    end = k == 0 ? RecordFormat.HEADER_SIZE : offsets[k];
    count = k;
    while (runs > 0 && runStart[runs - 1] >= index) {
      runs--;
    }
  }

  /** Marks the segment closed under {@code newPath} and trims the index to size. */
  void seal(Path newPath) {
    path = newPath;
    sealed = true;
    offsets = Arrays.copyOf(offsets, Math.max(count, 1));
  }

  /** Marks a closed segment open again (after a truncation into it). */
  void unseal(Path newPath) {
    path = newPath;
    sealed = false;
  }

  /**
   * Reads entries {@code from} .. at most {@code stop - 1} of this segment with one positional
   * read, within the byte budget {@code maxBytes} ({@code bytes[0]} is what earlier entries of the
   * same call used), verifying each record's checksum; adds them to {@code out} and returns the
   * next index to read. Safe from several reader threads.
   *
   * @throws StorageException naming the file and offset of a corrupt record
   */
  long read(long from, long stop, long maxBytes, long[] bytes, List<LogEntry> out)
      throws IOException {
    long stopAt = Math.min(stop, last() + 1);
    long startOffset = offset(from);
    long j = from;
    while (j < stopAt) {
      long frame = endOffset(j) - offset(j);
      long size = RecordFormat.entrySizeOfFrame(frame);
      boolean isFirst = out.isEmpty() && j == from;
      if (!isFirst && (bytes[0] + size > maxBytes || endOffset(j) - startOffset > MAX_READ_CHUNK)) {
        break;
      }
      bytes[0] += size;
      j++;
    }
    if (j == from) {
      return from;
    }
    int length = (int) (endOffset(j - 1) - startOffset);
    ByteBuffer buf = ByteBuffer.allocate(length);
    file.readFully(buf, startOffset);
    buf.flip();
    for (long k = from; k < j; k++) {
      int at = (int) (offset(k) - startOffset);
      try {
        LogEntry entry = RecordFormat.readRecord(buf, at);
        if (entry.index() != k) {
          throw new BadDataException("record holds index " + entry.index() + " instead of " + k);
        }
        out.add(entry);
      } catch (BadDataException e) {
        throw new StorageException(
            "corrupt log segment " + path + " at offset " + offset(k) + ": " + e.getMessage());
      }
    }
    return j;
  }

  /** One line for tools: file, index range, size. */
  String describe() {
    return path.getFileName()
        + " first="
        + first
        + " last="
        + last()
        + " entries="
        + count
        + " bytes="
        + end
        + (sealed ? "" : " (open)");
  }

  void close() throws IOException {
    file.close();
  }

  @Override
  public String toString() {
    return path.getFileName() + "[" + first + ".." + last() + "]";
  }
}
