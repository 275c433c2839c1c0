package io.jangada.raft.storage.file;

import io.jangada.raft.storage.file.FileIo.IoFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Sequential reads of a file through one reusable buffer, for scanning segments on open. */
final class ChunkReader {

  private static final int CHUNK = 1 << 20;

  private final IoFile file;
  private final long size;
  private ByteBuffer buf = ByteBuffer.allocate(CHUNK);
  private long bufStart;
  private int bufLen;

  ChunkReader(IoFile file, long size) {
    this.file = file;
    this.size = size;
  }

  /**
   * Makes bytes {@code [pos, pos + n)} available (the caller checked they lie within the file) and
   * returns the buffer position of {@code pos} in {@link #buffer()}.
   */
  int load(long pos, int n) throws IOException {
    if (pos >= bufStart && pos + n <= bufStart + bufLen) {
      return (int) (pos - bufStart);
    }
    if (n > buf.capacity()) {
      buf = ByteBuffer.allocate(n);
    }
    int want = (int) Math.min(buf.capacity(), size - pos);
    buf.clear().limit(want);
    file.readFully(buf, pos);
    bufStart = pos;
    bufLen = want;
    return 0;
  }

  ByteBuffer buffer() {
    return buf;
  }
}
