package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The log's durable metadata, kept in the file {@code meta} of the log directory and replaced
 * atomically.
 *
 * @param generation incremented by every {@code reset}; segments of an older generation are stale
 * @param compactIndex the last compacted index ({@code firstIndex() - 1})
 * @param compactTerm the term of the entry at {@code compactIndex} (0 if it is 0)
 */
record LogMeta(long generation, long compactIndex, long compactTerm) {

  static final String FILE_NAME = "meta";
  static final int MAGIC = 0x4A474C4D; // "JGLM"
  static final LogMeta INITIAL = new LogMeta(0, 0, 0);

  void write(FileIo io, Path dir) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(24);
    b.putLong(generation).putLong(compactIndex).putLong(compactTerm);
    MetaFile.write(io, dir.resolve(FILE_NAME), MAGIC, b.array());
  }

  static LogMeta read(FileIo io, Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    var payload = MetaFile.read(io, file, MAGIC);
    if (payload.isEmpty()) {
      return INITIAL;
    }
    ByteBuffer b = ByteBuffer.wrap(payload.get());
    if (b.remaining() != 24) {
      throw new IOException("corrupt file " + file + " at offset 0: bad payload size");
    }
    LogMeta meta = new LogMeta(b.getLong(), b.getLong(), b.getLong());
    if (meta.generation < 0 || meta.compactIndex < 0 || meta.compactTerm < 0) {
      throw new IOException("corrupt file " + file + " at offset 0: negative field in " + meta);
    }
    return meta;
  }
}
