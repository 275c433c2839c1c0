package io.jangada.raft.storage.file;

import io.jangada.raft.storage.file.FileIo.IoFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A small checksummed file replaced atomically: write a temporary file, force it, rename it over
 * the old one, force the directory. A crash leaves the old or the new content, never a mix.
 *
 * <pre>
 * magic u32 | version u16 | length u32 | payload | crc32c(everything before) u32
 * </pre>
 */
final class MetaFile {

  static final String TMP_SUFFIX = ".tmp";
  private static final short VERSION = 1;
  private static final int FIXED = 4 + 2 + 4 + 4;

  private MetaFile() {}

  /** Replaces {@code file} with {@code payload}; durable on return. */
  static void write(FileIo io, Path file, int magic, byte[] payload) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
    io.delete(tmp);
    ByteBuffer b = ByteBuffer.allocate(FIXED + payload.length);
    b.putInt(magic).putShort(VERSION).putInt(payload.length).put(payload);
    b.putInt(RecordFormat.crc(b.array(), 0, b.position()));
    b.flip();
    try (IoFile out = io.create(tmp)) {
      out.write(b, 0);
      out.force();
    }
    io.rename(tmp, file);
    io.syncDirectory(file.getParent());
  }

  /**
   * Reads {@code file}; empty if it does not exist.
   *
   * @throws IOException naming the file and what is wrong if it is corrupt
   */
  static Optional<byte[]> read(FileIo io, Path file, int magic) throws IOException {
    if (!io.exists(file)) {
      return Optional.empty();
    }
    try (IoFile in = io.open(file)) {
      long size = in.size();
      if (size < FIXED || size > 1 << 20) {
        throw corrupt(file, "bad size " + size);
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      in.readFully(b, 0);
      if (b.getInt(0) != magic) {
        throw corrupt(file, "bad magic 0x" + Integer.toHexString(b.getInt(0)));
      }
      if (b.getShort(4) != VERSION) {
        throw corrupt(file, "unsupported format version " + b.getShort(4));
      }
      int length = b.getInt(6);
      if (length != size - FIXED) {
        throw corrupt(file, "payload length " + length + " does not match file size " + size);
      }
      int stored = b.getInt((int) size - 4);
      if (stored != RecordFormat.crc(b.array(), 0, (int) size - 4)) {
        throw corrupt(file, "checksum mismatch");
      }
      byte[] payload = new byte[length];
      b.get(10, payload);
      return Optional.of(payload);
    }
  }

  private static IOException corrupt(Path file, String what) {
    return new IOException("corrupt file " + file + " at offset 0: " + what);
  }
}
