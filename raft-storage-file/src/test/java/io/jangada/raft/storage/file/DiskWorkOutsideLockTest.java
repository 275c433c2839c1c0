package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.storage.LogStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers of the log (the node's loop asks for the first and last index and terms on every round)
 * do not wait for a compaction's or a segment roll's disk work: with the fsyncs under the log's
 * lock, a compaction after a snapshot blocked every node's loop for up to 0.6 s on a busy disk and
 * cost the leader its leadership, and segment rolls parked the loops for up to ~40 ms (issue 16,
 * W4).
 */
class DiskWorkOutsideLockTest {

  private static final DataDirIdentity ID = DataDirIdentity.of("test", "n1");
  private static final FileStorageOptions SMALL =
      FileStorageOptions.builder().segmentSizeBytes(1024).build();
  private static final long BOUND_SECONDS = 30; // an upper bound for a hang, not a timing

  @TempDir Path dir;

  private final ExecutorService writer = Executors.newSingleThreadExecutor();
  private final ExecutorService reader = Executors.newSingleThreadExecutor();
  private final GatedIo io = new GatedIo();

  @AfterEach
  void stop() {
    io.release();
    writer.shutdownNow();
    reader.shutdownNow();
  }

  /** The real file system; once held, the next force waits until released. */
  private static final class GatedIo extends ForwardingFileIo {
    private volatile boolean holding;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    void holdNextForce() {
      holding = true;
    }

    boolean awaitHeld() throws InterruptedException {
      return held.await(BOUND_SECONDS, TimeUnit.SECONDS);
    }

    void release() {
      released.countDown();
    }

    private void gate() throws IOException {
      if (holding) {
        holding = false;
        held.countDown();
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted at the gate", e);
        }
      }
    }

    @Override
    IoFile wrap(IoFile real) {
      return new ForwardingFile(real) {
        @Override
        public void force() throws IOException {
          gate();
          super.force();
        }
      };
    }
  }

  private static void fill(FileStorage storage, int n) throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      entries.add(LogEntry.command(i, 1 + i / 100, Bytes.ofUtf8("value-" + i)));
    }
    storage.state().save(new HardState(3, Optional.empty(), 0));
    storage.log().append(entries);
    storage.log().sync();
  }

  private static long segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      return files.filter(p -> SegmentName.parse(p).isPresent()).count();
    }
  }

  @Test
  void readersGoOnWhileACompactionWaitsForTheDisk() throws Exception {
    try (FileStorage storage = FileStorage.open(io, dir, ID, SMALL)) {
      LogStorage log = storage.log();
      fill(storage, 200);
      long segmentsBefore = segments(dir);

      io.holdNextForce();
      Future<?> compaction =
          writer.submit(
              () -> {
                log.compactUpTo(150);
                return null;
              });
      assertThat(io.awaitHeld()).as("the compaction reached its first fsync").isTrue();

      try {
        Future<List<Long>> reads =
            reader.submit(
                () ->
                    List.of(
                        log.firstIndex(),
                        log.lastIndex(),
                        log.term(120),
                        log.entries(120, 121, Long.MAX_VALUE).get(0).index()));
        // Before the fix this read waited for the compaction's lock, which waited for the disk.
        assertThat(reads.get(BOUND_SECONDS, TimeUnit.SECONDS)).containsExactly(1L, 200L, 2L, 120L);
        assertThat(compaction.isDone()).isFalse();
      } finally {
        io.release(); // also when the reads failed: close() waits for the compaction's lock
      }
      compaction.get(BOUND_SECONDS, TimeUnit.SECONDS);
      assertThat(log.firstIndex()).isEqualTo(151);
      assertThat(log.term(150)).isEqualTo(2);
      assertThat(log.entries(151, 152, Long.MAX_VALUE).get(0).data())
          .isEqualTo(Bytes.ofUtf8("value-151"));
      assertThat(segments(dir)).isLessThan(segmentsBefore);
    }
    try (FileStorage reopened = FileStorage.open(dir, ID, SMALL)) {
      assertThat(reopened.log().firstIndex()).isEqualTo(151);
      assertThat(reopened.log().lastIndex()).isEqualTo(200);
      assertThat(reopened.log().term(150)).isEqualTo(2);
    }
  }

  @Test
  void readersGoOnWhileASegmentRollWaitsForTheDisk() throws Exception {
    try (FileStorage storage = FileStorage.open(io, dir, ID, SMALL)) {
      LogStorage log = storage.log();
      fill(storage, 200);
      long segmentsBefore = segments(dir);
      List<LogEntry> more = new ArrayList<>();
      for (int i = 201; i <= 260; i++) {
        more.add(LogEntry.command(i, 3, Bytes.ofUtf8("value-" + i)));
      }

      io.holdNextForce();
      Future<?> append =
          writer.submit(
              () -> {
                log.append(more);
                log.sync();
                return null;
              });
      assertThat(io.awaitHeld()).as("the append reached the roll's fsync").isTrue();

      try {
        Future<List<Long>> reads =
            reader.submit(
                () ->
                    List.of(
                        log.firstIndex(),
                        log.lastIndex(),
                        log.term(120),
                        log.entries(199, 201, Long.MAX_VALUE).get(1).index()));
        // Before the fix this read waited for the append's lock, which waited for the disk.
        assertThat(reads.get(BOUND_SECONDS, TimeUnit.SECONDS)).containsExactly(1L, 200L, 2L, 200L);
        assertThat(append.isDone()).isFalse();
      } finally {
        io.release();
      }
      append.get(BOUND_SECONDS, TimeUnit.SECONDS);
      assertThat(log.lastIndex()).isEqualTo(260);
      assertThat(log.term(230)).isEqualTo(3);
      assertThat(log.entries(201, 261, Long.MAX_VALUE))
          .extracting(LogEntry::data)
          .containsExactlyElementsOf(more.stream().map(LogEntry::data).toList());
      assertThat(segments(dir)).isGreaterThan(segmentsBefore);
    }
    try (FileStorage reopened = FileStorage.open(dir, ID, SMALL)) {
      assertThat(reopened.log().lastIndex()).isEqualTo(260);
      assertThat(reopened.log().entries(255, 256, Long.MAX_VALUE).get(0).data())
          .isEqualTo(Bytes.ofUtf8("value-255"));
    }
  }

  @Test
  void compactingAtOrBelowTheFirstIndexChangesNothing() throws Exception {
    try (FileStorage storage = FileStorage.open(io, dir, ID, SMALL)) {
      fill(storage, 50);
      storage.log().compactUpTo(20);
      long segmentsAfter = segments(dir);
      storage.log().compactUpTo(10);
      storage.log().compactUpTo(20);
      assertThat(storage.log().firstIndex()).isEqualTo(21);
      assertThat(segments(dir)).isEqualTo(segmentsAfter);
    }
  }
}
