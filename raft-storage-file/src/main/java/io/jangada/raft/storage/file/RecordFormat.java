package io.jangada.raft.storage.file;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of a log segment (format version 1, big-endian).
 *
 * <pre>
 * header (28 bytes): magic "JGLG" | version u16 | reserved u16 | generation i64 | firstIndex i64
 *                    | crc32c(previous 24 bytes) u32
 * record:            length u32 | crc32c(length bytes ++ payload) u32 | payload
 * payload:           index i64 | term i64 | type u8 | data
 * </pre>
 *
 * The generation ties a segment to one life of the log: {@code reset} starts a new generation, so
 * segments left over from before a reset are recognised and discarded.
 */
final class RecordFormat {

  static final int MAGIC = 0x4A474C47; // "JGLG"
  static final short VERSION = 1;
  static final int HEADER_SIZE = 28;
  static final int FRAME_HEADER = 8;
  static final int PAYLOAD_FIXED = 8 + 8 + 1;

  /** The largest payload accepted; also a sanity bound when reading lengths. */
  static final int MAX_PAYLOAD = 256 * 1024 * 1024;

  private static final EntryType[] TYPES = EntryType.values();

  private RecordFormat() {}

  /** The size of the record that stores {@code entry}. */
  static int frameSize(LogEntry entry) {
    return FRAME_HEADER + PAYLOAD_FIXED + entry.data().size();
  }

  /** The {@link LogEntry#sizeBytes()} of the entry stored in a record of {@code frameSize}. */
  static long entrySizeOfFrame(long frameSize) {
    return frameSize - FRAME_HEADER - PAYLOAD_FIXED + LogEntry.OVERHEAD_BYTES;
  }

  static ByteBuffer header(long generation, long firstIndex) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putLong(generation).putLong(firstIndex);
    b.putInt(crc(b.array(), 0, HEADER_SIZE - 4));
    return b.flip();
  }

  /** A parsed segment header. */
  record Header(long generation, long firstIndex) {}

  /**
   * Parses a header.
   *
   * @return the header, or throws with what is wrong
   */
  static Header parseHeader(ByteBuffer b) throws BadDataException {
    int magic = b.getInt(0);
    if (magic != MAGIC) {
      throw new BadDataException("not a log segment: bad magic 0x" + Integer.toHexString(magic));
    }
    short version = b.getShort(4);
    if (version != VERSION) {
      throw new BadDataException("unsupported segment format version " + version);
    }
    int stored = b.getInt(HEADER_SIZE - 4);
    int actual = crc(b.array(), b.arrayOffset(), HEADER_SIZE - 4);
    if (stored != actual) {
      throw new BadDataException("segment header checksum mismatch");
    }
    return new Header(b.getLong(8), b.getLong(16));
  }

  /**
   * Appends the record for {@code entry} to {@code out}, which must have room, without allocating:
   * the data is copied straight into {@code out} and the checksum is computed with {@code crc}
   * (reset here; one per writer thread, since a {@link CRC32C} is not thread-safe).
   */
  static void writeRecord(ByteBuffer out, LogEntry entry, CRC32C crc) {
    int start = out.position();
    int length = PAYLOAD_FIXED + entry.data().size();
    out.putInt(length);
    out.putInt(0); // checksum, filled below
    out.putLong(entry.index()).putLong(entry.term()).put((byte) entry.type().ordinal());
    entry.data().copyTo(out);
    crc.reset();
    if (out.hasArray()) {
      byte[] array = out.array();
      int base = out.arrayOffset() + start;
      crc.update(array, base, 4);
      crc.update(array, base + FRAME_HEADER, length);
    } else {
      int end = out.position();
      int limit = out.limit();
      out.position(start).limit(start + 4);
      crc.update(out);
      out.limit(end).position(start + FRAME_HEADER);
      crc.update(out);
      out.limit(limit).position(end);
    }
    out.putInt(start + 4, (int) crc.getValue());
  }

  /**
   * Checks the record whose frame starts at {@code frame.position()} and spans {@code length}
   * payload bytes; returns the checksum it should have.
   */
  static int recordCrc(ByteBuffer buf, int frameStart, int length) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buf.duplicate();
    view.limit(frameStart + 4).position(frameStart);
    crc.update(view);
    view.limit(frameStart + FRAME_HEADER + length).position(frameStart + FRAME_HEADER);
    crc.update(view);
    return (int) crc.getValue();
  }

  /**
   * Decodes and verifies the record at {@code frameStart} in {@code buf} (which holds the whole
   * frame).
   */
  static LogEntry readRecord(ByteBuffer buf, int frameStart) throws BadDataException {
    int length = buf.getInt(frameStart);
    if (length < PAYLOAD_FIXED || length > MAX_PAYLOAD) {
      throw new BadDataException("bad record length " + length);
    }
    if (frameStart + FRAME_HEADER + length > buf.limit()) {
      throw new BadDataException("record of " + length + " bytes is cut short");
    }
    if (buf.getInt(frameStart + 4) != recordCrc(buf, frameStart, length)) {
      throw new BadDataException("record checksum mismatch");
    }
    int p = frameStart + FRAME_HEADER;
    long index = buf.getLong(p);
    long term = buf.getLong(p + 8);
    int type = buf.get(p + 16);
    if (index < 1 || term < 1 || type < 0 || type >= TYPES.length) {
      throw new BadDataException(
          "invalid entry fields index=" + index + " term=" + term + " type=" + type);
    }
    byte[] data = new byte[length - PAYLOAD_FIXED];
    buf.get(p + PAYLOAD_FIXED, data);
    return new LogEntry(index, term, TYPES[type], Bytes.wrapUnsafe(data));
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** Data on disk is not what it should be; the message says what is wrong. */
  static final class BadDataException extends Exception {
    private static final long serialVersionUID = 1L;

    BadDataException(String message) {
      super(message);
    }
  }
}
