package io.jangada.raft.storage.file;

import io.jangada.raft.storage.file.FileIo.IoFile;
import io.jangada.raft.storage.file.RecordFormat.BadDataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Validates a segment file record by record and builds its {@link Segment} index. A bad record with
 * no valid record after it in the last segment is a torn tail (a crash during a write); any other
 * bad record is corruption and fails with the file and offset.
 */
final class SegmentScanner {

  /** Where a torn tail starts and why it was judged torn. */
  record Torn(long offset, String reason) {}

  /** A scanned segment and, for the last segment, the torn tail found (not yet cut). */
  record Result(Segment segment, Optional<Torn> torn) {}

  private SegmentScanner() {}

  /** Reads and checks the 28-byte header; throws naming the file if it is bad. */
  static RecordFormat.Header readHeader(IoFile file, Path path) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(RecordFormat.HEADER_SIZE);
    file.readFully(b, 0);
    try {
      return RecordFormat.parseHeader(b);
    } catch (BadDataException e) {
      throw corrupt(path, 0, e.getMessage());
    }
  }

  /**
   * Scans every record after the header.
   *
   * @param last whether this is the log's last segment, where a torn tail is tolerated
   */
  static Result scan(
      IoFile file, Path path, RecordFormat.Header header, boolean sealed, boolean last)
      throws IOException {
    Segment segment = new Segment(path, file, header.generation(), header.firstIndex(), sealed);
    long size = file.size();
    ChunkReader reader = new ChunkReader(file, size);
    long pos = RecordFormat.HEADER_SIZE;
    long expected = header.firstIndex();
    while (pos < size) {
      String problem = null;
      int length = 0;
      if (size - pos < RecordFormat.FRAME_HEADER) {
        problem = "partial record header (" + (size - pos) + " bytes before end of file)";
      } else {
        int at = reader.load(pos, RecordFormat.FRAME_HEADER);
        length = reader.buffer().getInt(at);
        if (length < RecordFormat.PAYLOAD_FIXED || length > RecordFormat.MAX_PAYLOAD) {
          problem = "bad record length " + length;
        } else if (pos + RecordFormat.FRAME_HEADER + length > size) {
          problem =
              "record of " + length + " bytes runs past the end of the file (" + size + " bytes)";
        } else {
          at = reader.load(pos, RecordFormat.FRAME_HEADER + length);
          ByteBuffer buf = reader.buffer();
          if (buf.getInt(at + 4) != RecordFormat.recordCrc(buf, at, length)) {
            problem = "record checksum mismatch";
          } else {
            long index = buf.getLong(at + RecordFormat.FRAME_HEADER);
            long term = buf.getLong(at + RecordFormat.FRAME_HEADER + 8);
            if (index != expected) {
              // A record with a valid checksum was written as it is: never a torn write.
              throw corrupt(
                  path, pos, "record holds index " + index + " where " + expected + " belongs");
            }
            if (term < 1) {
              throw corrupt(path, pos, "record holds invalid term " + term);
            }
            segment.add(term, RecordFormat.FRAME_HEADER + length);
          }
        }
      }
      if (problem != null) {
        if (last && !validRecordAfter(reader, pos, size, expected)) {
          return new Result(segment, Optional.of(new Torn(pos, problem)));
        }
        throw corrupt(path, pos, problem + (last ? " (valid records follow it)" : ""));
      }
      pos += RecordFormat.FRAME_HEADER + length;
      expected++;
    }
    return new Result(segment, Optional.empty());
  }

  /**
   * Whether any valid record of index {@code >= expected} starts after {@code pos}: if so, the bad
   * record at {@code pos} is not a torn tail but damage in the middle of the log.
   */
  private static boolean validRecordAfter(ChunkReader reader, long pos, long size, long expected)
      throws IOException {
    int minFrame = RecordFormat.FRAME_HEADER + RecordFormat.PAYLOAD_FIXED;
    long maxIndex = expected + (size - pos) / minFrame + 1;
    for (long q = pos + 1; q + minFrame <= size; q++) {
      int at = reader.load(q, minFrame);
      ByteBuffer buf = reader.buffer();
      int length = buf.getInt(at);
      if (length < RecordFormat.PAYLOAD_FIXED
          || length > RecordFormat.MAX_PAYLOAD
          || q + RecordFormat.FRAME_HEADER + length > size) {
        continue;
      }
      long index = buf.getLong(at + RecordFormat.FRAME_HEADER);
      if (index < expected || index > maxIndex) {
        continue;
      }
      at = reader.load(q, RecordFormat.FRAME_HEADER + length);
      buf = reader.buffer();
      if (buf.getInt(at + 4) == RecordFormat.recordCrc(buf, at, length)) {
        return true;
      }
    }
    return false;
  }

  static CorruptLogException corrupt(Path path, long offset, String what) {
    return new CorruptLogException(path, offset, what);
  }

  /** Corrupt data found on open; names the file and the offset. */
  static final class CorruptLogException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptLogException(Path path, long offset, String what) {
      super("corrupt log segment " + path + " at offset " + offset + ": " + what);
    }
  }
}
