package io.jangada.raft.storage.file;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.storage.file.FileIo.IoFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots as files {@code snap-<index>-<term>.snap} in one directory. A snapshot is written to a
 * temporary file, forced, then renamed; a temporary file found on open is a half-written snapshot
 * and is deleted. The newest {@code retain} snapshots (by index, then term) are kept.
 *
 * <pre>
 * header:  magic "JGSN" u32 | version u16 (2) | index i64 | term i64 | membership index i64
 *          | membership length i32 | Membership.encode() | crc32c(header so far) u32
 * data:    the state machine's bytes
 * trailer: data length i64 | crc32c(data) u32 | magic "JGSE" u32
 * </pre>
 *
 * Version 1 headers (no membership index, read as 0) are still read. The data checksum is verified
 * while a snapshot is read: the stream fails at its end if the data does not match. Thread-safe.
 *
 * <p>While a snapshot is written, the temporary file is forced every {@link #SYNC_INTERVAL_BYTES}
 * bytes, so that the page cache never holds more than that of its unwritten data. A snapshot of a
 * large state forced only once at the end left hundreds of MiB to be written by that one fsync, and
 * on the same file system the log's fsyncs (the write path) queued behind it for about a second:
 * long enough for the leader to miss its heartbeats and lose leadership (issue 16, W4).
 */
final class SnapshotDir implements SnapshotStorage {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotDir.class);
  private static final int MAGIC = 0x4A47_534E; // "JGSN"
  private static final int TRAILER_MAGIC = 0x4A47_5345; // "JGSE"
  private static final short VERSION_1 = 1;
  private static final short VERSION = 2;
  private static final int TRAILER = 16;

  /** Unforced bytes a snapshot being written may accumulate before it is forced: 32 MiB. */
  static final long SYNC_INTERVAL_BYTES = 32L << 20;

  private static final Pattern NAME = Pattern.compile("snap-(\\d{20})-(\\d{20})\\.snap");
  private static final Comparator<SnapshotMeta> ORDER =
      Comparator.comparingLong(SnapshotMeta::index).thenComparingLong(SnapshotMeta::term);

  private final FileIo io;
  private final Path dir;
  private final int retain;
  private final long syncIntervalBytes;
  private final AtomicLong tmpCounter = new AtomicLong();
  private final TreeMap<SnapshotMeta, Stored> snapshots = new TreeMap<>(ORDER);

  /** A committed snapshot file and where its data lies. */
  record Stored(SnapshotMeta meta, Path path, long dataStart, long dataLength) {}

  private SnapshotDir(FileIo io, Path dir, int retain, long syncIntervalBytes) {
    this.io = io;
    this.dir = dir;
    this.retain = retain;
    this.syncIntervalBytes = syncIntervalBytes;
  }

  /**
   * Opens the snapshot directory, deleting half-written snapshots and checking every committed
   * snapshot's header and trailer.
   *
   * @throws IOException naming the file if a committed snapshot is damaged
   */
  static SnapshotDir open(FileIo io, Path dir, int retain, boolean readOnly) throws IOException {
    return open(io, dir, retain, readOnly, SYNC_INTERVAL_BYTES);
  }

  /**
   * As {@link #open(FileIo, Path, int, boolean)}, forcing a snapshot being written every {@code
   * syncIntervalBytes} bytes (tests use small intervals).
   */
  static SnapshotDir open(FileIo io, Path dir, int retain, boolean readOnly, long syncIntervalBytes)
      throws IOException {
    if (syncIntervalBytes < 1) {
      throw new IllegalArgumentException("sync interval must be >= 1, got " + syncIntervalBytes);
    }
    if (!readOnly) {
      io.createDirectories(dir);
    }
    SnapshotDir snapshots = new SnapshotDir(io, dir, retain, syncIntervalBytes);
    boolean changed = false;
    for (Path file : io.list(dir)) {
      String name = file.getFileName().toString();
      if (name.endsWith(".tmp")) {
        LOG.info("removing half-written snapshot {}", file);
        if (!readOnly) {
          io.delete(file);
          changed = true;
        }
      } else if (NAME.matcher(name).matches()) {
        Stored stored = readHeader(io, file);
        snapshots.snapshots.put(stored.meta(), stored);
      }
    }
    if (!readOnly) {
      changed |= snapshots.prune();
      if (changed) {
        io.syncDirectory(dir);
      }
    }
    return snapshots;
  }

  static Stored readHeader(FileIo io, Path file) throws IOException {
    Matcher m = NAME.matcher(file.getFileName().toString());
    if (!m.matches()) {
      throw new IOException("not a snapshot file name: " + file);
    }
    try (IoFile in = io.open(file)) {
      long size = in.size();
      ByteBuffer start = ByteBuffer.allocate(6);
      if (size < 26 + 4 + TRAILER) {
        throw corrupt(file, 0, "file of " + size + " bytes is too short");
      }
      in.readFully(start, 0);
      short version = start.getShort(4);
      if (start.getInt(0) != MAGIC || (version != VERSION && version != VERSION_1)) {
        throw corrupt(file, 0, "bad magic or unsupported version");
      }
      int fixedLength = version == VERSION_1 ? 26 : 34;
      if (size < fixedLength + 4 + TRAILER) {
        throw corrupt(file, 0, "file of " + size + " bytes is too short");
      }
      ByteBuffer fixed = ByteBuffer.allocate(fixedLength);
      in.readFully(fixed, 0);
      long index = fixed.getLong(6);
      long term = fixed.getLong(14);
      long membershipIndex = version == VERSION_1 ? 0 : fixed.getLong(22);
      int membershipLength = fixed.getInt(fixedLength - 4);
      if (membershipLength < 0 || (long) fixedLength + membershipLength + 4 + TRAILER > size) {
        throw corrupt(file, fixedLength - 4, "bad membership length " + membershipLength);
      }
      ByteBuffer header = ByteBuffer.allocate(fixedLength + membershipLength + 4);
      in.readFully(header, 0);
      int headerLength = fixedLength + membershipLength;
      if (header.getInt(headerLength) != RecordFormat.crc(header.array(), 0, headerLength)) {
        throw corrupt(file, headerLength, "header checksum mismatch");
      }
      SnapshotMeta meta;
      try {
        Bytes membership = Bytes.copyOf(header.array(), fixedLength, membershipLength);
        meta = new SnapshotMeta(index, term, Membership.decode(membership), membershipIndex);
      } catch (IllegalArgumentException e) {
        throw corrupt(file, 0, "bad metadata: " + e.getMessage());
      }
      if (!file.getFileName().toString().equals(fileName(meta))) {
        throw corrupt(file, 0, "header describes " + index + "/" + term);
      }
      ByteBuffer trailer = ByteBuffer.allocate(TRAILER);
      in.readFully(trailer, size - TRAILER);
      long dataStart = headerLength + 4L;
      long dataLength = trailer.getLong(0);
      if (trailer.getInt(12) != TRAILER_MAGIC || dataLength != size - TRAILER - dataStart) {
        throw corrupt(file, size - TRAILER, "bad trailer");
      }
      return new Stored(meta, file, dataStart, dataLength);
    }
  }

  private static IOException corrupt(Path file, long offset, String what) {
    return new IOException("corrupt snapshot " + file + " at offset " + offset + ": " + what);
  }

  static String fileName(SnapshotMeta meta) {
    return String.format("snap-%020d-%020d.snap", meta.index(), meta.term());
  }

  @Override
  public synchronized Optional<SnapshotMeta> latest() {
    return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.lastKey());
  }

  /** The committed snapshots, oldest first, for tools. */
  synchronized List<Stored> list() {
    return new ArrayList<>(snapshots.values());
  }

  @Override
  public Sink create(SnapshotMeta meta) throws IOException {
    Path tmp =
        dir.resolve(
            fileName(meta).replace(".snap", "") + "-" + tmpCounter.incrementAndGet() + ".tmp");
    IoFile file = io.create(tmp);
    byte[] membership = meta.membership().encode().toByteArray();
    ByteBuffer header = ByteBuffer.allocate(34 + membership.length + 4);
    header.putInt(MAGIC).putShort(VERSION).putLong(meta.index()).putLong(meta.term());
    header.putLong(meta.membershipIndex());
    header.putInt(membership.length).put(membership);
    header.putInt(RecordFormat.crc(header.array(), 0, header.position()));
    header.flip();
    try {
      file.write(header, 0);
    } catch (IOException e) {
      file.close();
      io.delete(tmp);
      throw e;
    }
    return new FileSink(meta, tmp, file, header.limit());
  }

  @Override
  public InputStream open(SnapshotMeta meta) throws IOException {
    Stored stored = find(meta);
    IoFile file;
    try {
      file = io.open(stored.path());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new FileNotFoundException("snapshot " + meta + " was deleted: " + stored.path());
    }
    return new CheckedInput(stored, file);
  }

  @Override
  public long size(SnapshotMeta meta) throws IOException {
    return find(meta).dataLength();
  }

  private synchronized Stored find(SnapshotMeta meta) throws FileNotFoundException {
    Stored stored = snapshots.get(meta);
    if (stored == null || !stored.meta().equals(meta)) {
      throw new FileNotFoundException("no committed snapshot " + meta + " in " + dir);
    }
    return stored;
  }

  private synchronized void committed(Stored stored) throws IOException {
    snapshots.put(stored.meta(), stored);
    prune();
  }

  /** Deletes the oldest snapshots beyond {@code retain}; returns whether it deleted any. */
  private synchronized boolean prune() throws IOException {
    boolean deleted = false;
    while (snapshots.size() > retain) {
      Stored oldest = snapshots.pollFirstEntry().getValue();
      io.delete(oldest.path()); // readers that opened it keep reading (POSIX semantics)
      deleted = true;
    }
    return deleted;
  }

  private final class FileSink implements Sink {
    private final SnapshotMeta meta;
    private final Path tmp;
    private final IoFile file;
    private final long dataStart;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private long position;
    // Where the file was last forced: the bytes written after it are in the page cache only.
    private long forced;
    private boolean done;
    private final OutputStream stream =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            // DataOutputStream.writeInt and friends come here byte by byte: no array per byte.
            if (done) {
              throw new IOException("snapshot sink for " + meta + " is closed");
            }
            crc.update(b);
            buffer.put((byte) b);
            if (!buffer.hasRemaining()) {
              drain();
            }
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (done) {
              throw new IOException("snapshot sink for " + meta + " is closed");
            }
            crc.update(b, off, len);
            int o = off;
            int remaining = len;
            while (remaining > 0) {
              int n = Math.min(remaining, buffer.remaining());
              buffer.put(b, o, n);
              o += n;
              remaining -= n;
              if (!buffer.hasRemaining()) {
                drain();
              }
            }
          }
        };

    FileSink(SnapshotMeta meta, Path tmp, IoFile file, long dataStart) {
      this.meta = meta;
      this.tmp = tmp;
      this.file = file;
      this.dataStart = dataStart;
      this.position = dataStart;
    }

    private void drain() throws IOException {
      buffer.flip();
      int n = buffer.remaining();
      file.write(buffer, position);
      position += n;
      buffer.clear();
      if (position - forced >= syncIntervalBytes) {
        // Write the snapshot out as it goes, not all at once at commit (see the class comment).
        file.force();
        forced = position;
      }
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    @Override
    public void commit() throws IOException {
      if (done) {
        throw new IOException("snapshot sink for " + meta + " already closed");
      }
      try {
        drain();
        long dataLength = position - dataStart;
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER);
        trailer.putLong(dataLength).putInt((int) crc.getValue()).putInt(TRAILER_MAGIC).flip();
        file.write(trailer, position);
        file.force();
        file.close();
        done = true;
        Path target = dir.resolve(fileName(meta));
        io.rename(tmp, target);
        io.syncDirectory(dir);
        committed(new Stored(meta, target, dataStart, dataLength));
      } finally {
        if (!done) {
          close();
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (done) {
        return;
      }
      done = true;
      try {
        file.close();
      } finally {
        io.delete(tmp);
      }
    }
  }

  /** Streams a snapshot's data and fails at its end if the checksum does not match. */
  private static final class CheckedInput extends InputStream {
    private final Stored stored;
    private final IoFile file;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private long read;
    private boolean verified;

    CheckedInput(Stored stored, IoFile file) {
      this.stored = stored;
      this.file = file;
      buffer.limit(0);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!buffer.hasRemaining() && !fill()) {
        return -1;
      }
      int n = Math.min(len, buffer.remaining());
      buffer.get(b, off, n);
      return n;
    }

    private boolean fill() throws IOException {
      long left = stored.dataLength() - read;
      if (left == 0) {
        verify();
        return false;
      }
      buffer.clear().limit((int) Math.min(buffer.capacity(), left));
      file.readFully(buffer, stored.dataStart() + read);
      buffer.flip();
      crc.update(buffer.duplicate());
      read += buffer.remaining();
      return true;
    }

    private void verify() throws IOException {
      if (verified) {
        return;
      }
      ByteBuffer trailer = ByteBuffer.allocate(4);
      file.readFully(trailer, stored.dataStart() + stored.dataLength() + 8);
      if (trailer.getInt(0) != (int) crc.getValue()) {
        throw new IOException(
            "corrupt snapshot "
                + stored.path()
                + ": data checksum mismatch over offsets "
                + stored.dataStart()
                + ".."
                + (stored.dataStart() + stored.dataLength()));
      }
      verified = true;
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
