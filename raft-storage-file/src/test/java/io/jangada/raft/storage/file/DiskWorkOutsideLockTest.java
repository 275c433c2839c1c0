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
import java.util.concurrent.Callable;
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
    IoFile wrap(IoFile real, Path path) {
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

  /** Commands {@code first..last} of {@code term}, each holding {@code prefix} + its index. */
  private static List<LogEntry> entries(long first, long last, long term, String prefix) {
    List<LogEntry> entries = new ArrayList<>();
    for (long i = first; i <= last; i++) {
      entries.add(LogEntry.command(i, term, Bytes.ofUtf8(prefix + i)));
    }
    return entries;
  }

  private static long segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      return files.filter(p -> SegmentName.parse(p).isPresent()).count();
    }
  }

  /** Runs {@code work} on the writer thread; returns once it waits in its first fsync. */
  private Future<?> startHeldAtFirstForce(Callable<?> work) throws InterruptedException {
    io.holdNextForce();
    Future<?> held = writer.submit(work);
    assertThat(io.awaitHeld()).as("the disk work reached its first fsync").isTrue();
    return held;
  }

  /**
   * Reads the first and last index, the term of entry 120 and entry {@code entry} on another thread
   * while {@code held} waits in its fsync: they must answer (before the fix they waited for the
   * log's lock, which waited for the disk). Then lets the disk go on, also when the reads failed
   * (closing waits for the held work's lock), and waits for {@code held} to finish.
   */
  private void readWhileHeld(LogStorage log, long entry, List<Long> expected, Future<?> held)
      throws Exception {
    try {
      Future<List<Long>> reads =
          reader.submit(
              () ->
                  List.of(
                      log.firstIndex(),
                      log.lastIndex(),
                      log.term(120),
                      log.entries(entry, entry + 1, Long.MAX_VALUE).get(0).index()));
      assertThat(reads.get(BOUND_SECONDS, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
      assertThat(held.isDone()).isFalse();
    } finally {
      io.release();
    }
    held.get(BOUND_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void readersGoOnWhileACompactionWaitsForTheDisk() throws Exception {
    try (FileStorage storage = FileStorage.open(io, dir, ID, SMALL)) {
      LogStorage log = storage.log();
      fill(storage, 200);
      long segmentsBefore = segments(dir);

      Future<?> compaction =
          startHeldAtFirstForce(
              () -> {
                log.compactUpTo(150);
                return null;
              });
      readWhileHeld(log, 120, List.of(1L, 200L, 2L, 120L), compaction);
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
      List<LogEntry> more = entries(201, 260, 3, "value-");

      Future<?> append =
          startHeldAtFirstForce(
              () -> {
                log.append(more); // the segment rolls: its first fsync forces the full segment
                log.sync();
                return null;
              });
      readWhileHeld(log, 200, List.of(1L, 200L, 2L, 200L), append);
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

  /**
   * A truncation (a new leader replaced our tail) still does its disk work under the log's lock,
   * but the first and last index do not take the lock: the loop asks for them on every round. While
   * the truncation waits in its fsync they answer with the log as it was; once it is done, with the
   * replaced tail.
   */
  @Test
  void theIndexBoundsDoNotWaitForATruncationHoldingTheLock() throws Exception {
    try (FileStorage storage = FileStorage.open(io, dir, ID, SMALL)) {
      LogStorage log = storage.log();
      fill(storage, 200);
      List<LogEntry> replacement = entries(150, 170, 7, "new-");

      Future<?> truncation =
          startHeldAtFirstForce(
              () -> {
                log.append(replacement); // cuts 150..200 first, forcing the cut segment
                return null;
              });
      try {
        Future<List<Long>> bounds = reader.submit(() -> List.of(log.firstIndex(), log.lastIndex()));
        assertThat(bounds.get(BOUND_SECONDS, TimeUnit.SECONDS)).containsExactly(1L, 200L);
        assertThat(truncation.isDone()).isFalse();
      } finally {
        io.release();
      }
      truncation.get(BOUND_SECONDS, TimeUnit.SECONDS);
      assertThat(log.firstIndex()).isEqualTo(1);
      assertThat(log.lastIndex()).isEqualTo(170);
      assertThat(log.term(160)).isEqualTo(7);
      log.sync();
      log.compactUpTo(155);
      assertThat(log.firstIndex()).isEqualTo(156);
      assertThat(log.lastIndex()).isEqualTo(170);
      log.reset(400, 9);
      assertThat(log.firstIndex()).isEqualTo(401);
      assertThat(log.lastIndex()).isEqualTo(400);
    }
  }
}
