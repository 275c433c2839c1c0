package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The record encoder with one reused checksum: every record reads back as the entry it was made
 * from, and its checksum is the format's (crc32c of the length bytes and the payload, computed here
 * independently), in heap buffers (also a slice with an array offset) and direct ones.
 */
class RecordFormatTest {

  private static final long SEED = 2026_1130L;

  @Test
  void recordsWrittenWithOneReusedChecksumReadBackAndCarryTheFormatsChecksum() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    List<LogEntry> entries = new ArrayList<>();
    EntryType[] types = EntryType.values();
    for (int i = 1; i <= 200; i++) {
      byte[] data = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(1, 600)];
      random.nextBytes(data);
      entries.add(
          new LogEntry(
              i, 1 + random.nextInt(5), types[random.nextInt(types.length)], Bytes.copyOf(data)));
    }
    ByteBuffer sliced = ByteBuffer.allocate(256 * 1024).position(13).slice(); // arrayOffset 13
    for (ByteBuffer out :
        List.of(ByteBuffer.allocate(256 * 1024), sliced, ByteBuffer.allocateDirect(256 * 1024))) {
      CRC32C crc = new CRC32C();
      out.position(5); // records need not start at 0
      List<Integer> starts = new ArrayList<>();
      for (LogEntry e : entries) {
        starts.add(out.position());
        RecordFormat.writeRecord(out, e, crc);
        assertThat(out.position() - starts.get(starts.size() - 1))
            .as("seed %d", SEED)
            .isEqualTo(RecordFormat.frameSize(e));
      }
      for (int i = 0; i < entries.size(); i++) {
        int start = starts.get(i);
        assertThat(RecordFormat.readRecord(out, start))
            .as("seed %d", SEED)
            .isEqualTo(entries.get(i));
        int length = out.getInt(start);
        byte[] covered = new byte[4 + length];
        out.get(start, covered, 0, 4);
        out.get(start + RecordFormat.FRAME_HEADER, covered, 4, length);
        CRC32C expected = new CRC32C();
        expected.update(covered);
        assertThat(out.getInt(start + 4))
            .as("seed %d, record %d", SEED, i)
            .isEqualTo((int) expected.getValue());
      }
    }
  }
}
