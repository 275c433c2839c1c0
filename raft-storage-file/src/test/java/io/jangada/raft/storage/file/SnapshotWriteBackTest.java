package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot being written is forced as it goes, so that its commit does not leave one fsync to
 * write out the whole state (which stalled the log's fsyncs on the same disk, issue 16).
 */
class SnapshotWriteBackTest {

  private static final int CHUNK = 64 * 1024; // the sink's buffer

  @TempDir Path dir;

  /** The real file system; records, per force of a file, how many bytes were written before it. */
  private static final class RecordingIo extends ForwardingFileIo {
    final List<Long> unforcedAtForce = new ArrayList<>();

    @Override
    IoFile wrap(IoFile real, Path path) {
      return new ForwardingFile(real) {
        long unforced;

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
          unforced += src.remaining();
          super.write(src, position);
        }

        @Override
        public void force() throws IOException {
          unforcedAtForce.add(unforced);
          unforced = 0;
          super.force();
        }
      };
    }
  }

  private static SnapshotMeta meta(long index) {
    return new SnapshotMeta(index, 1, Membership.ofVoters(new NodeId("n1")));
  }

  private static byte[] data(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void aLargeSnapshotIsForcedEveryIntervalAndReadsBackIntact() throws IOException {
    long interval = 256 * 1024;
    RecordingIo io = new RecordingIo();
    SnapshotStorage snapshots = SnapshotDir.open(io, dir, 2, false, interval);
    byte[] data = data(5 * 1024 * 1024 + 123, 7);

    try (SnapshotStorage.Sink sink = snapshots.create(meta(10))) {
      // Written in odd-sized pieces, as a state machine's stream does.
      for (int off = 0; off < data.length; off += 10_007) {
        sink.stream().write(data, off, Math.min(10_007, data.length - off));
      }
      sink.commit();
    }

    // 5 MiB in 256 KiB steps: about 20 forces, none with more than one interval (plus the
    // sink's last buffer) unwritten, the commit's force included.
    assertThat(io.unforcedAtForce).hasSizeGreaterThanOrEqualTo(20);
    assertThat(io.unforcedAtForce).allSatisfy(n -> assertThat(n).isLessThan(interval + CHUNK));
    try (InputStream in = snapshots.open(meta(10))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void theDefaultIntervalBoundsWhatTheCommitLeavesToTheLastForce() throws IOException {
    RecordingIo io = new RecordingIo();
    SnapshotStorage snapshots = SnapshotDir.open(io, dir, 2, false);
    byte[] block = data(1 << 20, 11);
    long blocks = 2 * (SnapshotDir.SYNC_INTERVAL_BYTES >> 20) + 1;

    try (SnapshotStorage.Sink sink = snapshots.create(meta(20))) {
      for (long i = 0; i < blocks; i++) {
        sink.stream().write(block);
      }
      sink.commit();
    }

    assertThat(io.unforcedAtForce).hasSizeGreaterThanOrEqualTo(3);
    assertThat(io.unforcedAtForce)
        .allSatisfy(n -> assertThat(n).isLessThan(SnapshotDir.SYNC_INTERVAL_BYTES + CHUNK));
    try (InputStream in = snapshots.open(meta(20))) {
      for (long i = 0; i < blocks; i++) {
        assertThat(in.readNBytes(block.length)).as("block %d", i).isEqualTo(block);
      }
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aSmallSnapshotIsForcedOnceAtCommit() throws IOException {
    RecordingIo io = new RecordingIo();
    SnapshotStorage snapshots = SnapshotDir.open(io, dir, 2, false);

    try (SnapshotStorage.Sink sink = snapshots.create(meta(30))) {
      sink.stream().write(data(1000, 3));
      sink.commit();
    }

    assertThat(io.unforcedAtForce).hasSize(1);
  }
}
