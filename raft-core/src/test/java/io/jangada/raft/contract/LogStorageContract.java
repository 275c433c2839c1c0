package io.jangada.raft.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.CompactedException;
import io.jangada.raft.storage.LogStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link LogStorage} must meet. Subclasses say how to open a storage in a
 * directory and how to restart it; every durable implementation runs this suite.
 */
public abstract class LogStorageContract {

  @TempDir protected Path dir;

  private final List<LogStorage> opened = new ArrayList<>();

  /** Opens a storage over {@code dir}, empty if {@code dir} holds nothing yet. */
  protected abstract LogStorage open(Path dir) throws IOException;

  /**
   * Restarts {@code storage} as a process restart would: closes it (or simulates a crash) and
   * returns a storage over the same durable data in {@code dir}. What was synced must survive.
   */
  protected abstract LogStorage reopen(LogStorage storage, Path dir) throws IOException;

  private LogStorage log() throws IOException {
    return track(open(dir));
  }

  private LogStorage restart(LogStorage log) throws IOException {
    return track(reopen(log, dir));
  }

  private LogStorage track(LogStorage log) {
    opened.add(log);
    return log;
  }

  @AfterEach
  void closeAll() throws IOException {
    for (LogStorage log : opened) {
      log.close();
    }
  }

  protected static LogEntry entry(long index, long term) {
    return LogEntry.command(index, term, Bytes.ofUtf8("cmd-" + index + "-" + term));
  }

  protected static List<LogEntry> entries(long from, long toInclusive, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= toInclusive; i++) {
      out.add(entry(i, term));
    }
    return out;
  }

  @Test
  void emptyLogStartsAtOneWithTermZeroBeforeIt() throws IOException {
    LogStorage log = log();
    assertThat(log.firstIndex()).isEqualTo(1);
    assertThat(log.lastIndex()).isEqualTo(0);
    assertThat(log.term(0)).isEqualTo(0);
    assertThat(log.entries(1, 1, Long.MAX_VALUE)).isEmpty();
    assertThatThrownBy(() -> log.term(1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void appendedEntriesAreReadBackWithTheirTerms() throws IOException {
    LogStorage log = log();
    List<LogEntry> batch = new ArrayList<>(entries(1, 3, 1));
    batch.add(LogEntry.noop(4, 2));
    batch.add(LogEntry.membership(5, 2, Membership.ofVoters(new NodeId("a"), new NodeId("b"))));
    log.append(batch);
    assertThat(log.lastIndex()).isEqualTo(5);
    assertThat(log.entries(1, 6, Long.MAX_VALUE)).isEqualTo(batch);
    assertThat(log.entries(2, 4, Long.MAX_VALUE)).isEqualTo(batch.subList(1, 3));
    assertThat(log.term(3)).isEqualTo(1);
    assertThat(log.term(5)).isEqualTo(2);
    log.append(List.of());
    assertThat(log.lastIndex()).isEqualTo(5);
  }

  @Test
  void entriesStopAtMaxBytesButReturnAtLeastOne() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 5, 1));
    long size = entry(1, 1).sizeBytes();
    assertThat(log.entries(1, 6, 0)).hasSize(1);
    assertThat(log.entries(1, 6, size)).hasSize(1);
    assertThat(log.entries(1, 6, 2 * size - 1)).hasSize(1);
    assertThat(log.entries(1, 6, 2 * size)).hasSize(2);
    assertThat(log.entries(2, 6, 3 * size)).isEqualTo(entries(2, 4, 1));
  }

  @Test
  void appendingBeforeTheEndReplacesTheConflictingSuffix() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 5, 1));
    log.append(entries(3, 4, 2));
    assertThat(log.lastIndex()).isEqualTo(4);
    List<LogEntry> expected = new ArrayList<>(entries(1, 2, 1));
    expected.addAll(entries(3, 4, 2));
    assertThat(log.entries(1, 5, Long.MAX_VALUE)).isEqualTo(expected);
    assertThat(log.term(4)).isEqualTo(2);
    log.append(entries(5, 6, 2));
    assertThat(log.entries(4, 7, Long.MAX_VALUE)).isEqualTo(entries(4, 6, 2));
  }

  @Test
  void appendRejectsGapsNonContiguousBatchesAndIndexesBeforeTheFirst() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 5, 1));
    assertThatThrownBy(() -> log.append(entries(7, 8, 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.append(List.of(entry(6, 1), entry(8, 1))))
        .isInstanceOf(IllegalArgumentException.class);
    log.compactUpTo(3);
    assertThatThrownBy(() -> log.append(entries(3, 4, 2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(log.lastIndex()).isEqualTo(5);
    assertThat(log.entries(4, 6, Long.MAX_VALUE)).isEqualTo(entries(4, 5, 1));
  }

  @Test
  void readsOutsideTheLogThrow() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 5, 1));
    assertThatThrownBy(() -> log.term(6)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log.entries(1, 7, Long.MAX_VALUE))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log.entries(3, 2, Long.MAX_VALUE))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log.entries(0, 2, Long.MAX_VALUE))
        .isInstanceOf(CompactedException.class);
  }

  @Test
  void compactionKeepsTheTermOfTheLastCompactedEntry() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 3, 1));
    log.append(entries(4, 6, 2));
    log.compactUpTo(4);
    assertThat(log.firstIndex()).isEqualTo(5);
    assertThat(log.lastIndex()).isEqualTo(6);
    assertThat(log.term(4)).isEqualTo(2);
    assertThatThrownBy(() -> log.term(3))
        .isInstanceOfSatisfying(
            CompactedException.class,
            e -> {
              assertThat(e.index()).isEqualTo(3);
              assertThat(e.firstIndex()).isEqualTo(5);
            });
    assertThatThrownBy(() -> log.entries(4, 6, Long.MAX_VALUE))
        .isInstanceOf(CompactedException.class);
    assertThat(log.entries(5, 7, Long.MAX_VALUE)).isEqualTo(entries(5, 6, 2));
    log.compactUpTo(2); // already compacted: no-op
    assertThat(log.firstIndex()).isEqualTo(5);
    assertThatThrownBy(() -> log.compactUpTo(7)).isInstanceOf(IllegalArgumentException.class);
    log.compactUpTo(6);
    assertThat(log.firstIndex()).isEqualTo(7);
    assertThat(log.lastIndex()).isEqualTo(6);
    assertThat(log.term(6)).isEqualTo(2);
    log.append(entries(7, 8, 3));
    assertThat(log.entries(7, 9, Long.MAX_VALUE)).isEqualTo(entries(7, 8, 3));
  }

  @Test
  void resetRestartsTheLogAfterASnapshot() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 10, 1));
    log.reset(100, 7);
    assertThat(log.firstIndex()).isEqualTo(101);
    assertThat(log.lastIndex()).isEqualTo(100);
    assertThat(log.term(100)).isEqualTo(7);
    assertThatThrownBy(() -> log.term(99)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> log.append(entries(50, 51, 7)))
        .isInstanceOf(IllegalArgumentException.class);
    log.append(entries(101, 102, 8));
    assertThat(log.entries(101, 103, Long.MAX_VALUE)).isEqualTo(entries(101, 102, 8));
    // A reset to an index inside the log discards the entries after it too.
    log.reset(101, 8);
    assertThat(log.lastIndex()).isEqualTo(101);
    assertThat(log.firstIndex()).isEqualTo(102);
  }

  @Test
  void syncedEntriesSurviveARestart() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 10, 1));
    log.sync();
    log.append(entries(11, 15, 1));
    LogStorage again = restart(log);
    assertThat(again.firstIndex()).isEqualTo(1);
    assertThat(again.lastIndex()).isBetween(10L, 15L);
    assertThat(again.entries(1, again.lastIndex() + 1, Long.MAX_VALUE))
        .isEqualTo(entries(1, again.lastIndex(), 1));
    again.append(entries(again.lastIndex() + 1, 20, 2));
    again.sync();
    LogStorage third = restart(again);
    assertThat(third.lastIndex()).isEqualTo(20);
    assertThat(third.term(20)).isEqualTo(2);
  }

  @Test
  void syncedTruncationSurvivesARestart() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 10, 1));
    log.sync();
    log.append(entries(6, 6, 2));
    log.sync();
    LogStorage again = restart(log);
    assertThat(again.lastIndex()).isEqualTo(6);
    assertThat(again.term(6)).isEqualTo(2);
    assertThat(again.entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 1));
  }

  @Test
  void compactionNeverLosesUncompactedEntriesAcrossARestart() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 10, 1));
    log.sync();
    log.compactUpTo(5);
    log.sync();
    LogStorage again = restart(log);
    // Compaction may be made durable lazily: a restart may bring compacted entries back.
    assertThat(again.firstIndex()).isBetween(1L, 6L);
    assertThat(again.lastIndex()).isEqualTo(10);
    assertThat(again.term(again.firstIndex() - 1)).isEqualTo(again.firstIndex() == 1 ? 0 : 1);
    assertThat(again.entries(6, 11, Long.MAX_VALUE)).isEqualTo(entries(6, 10, 1));
  }

  @Test
  void resetIsDurableOnReturn() throws IOException {
    LogStorage log = log();
    log.append(entries(1, 10, 1));
    log.sync();
    log.reset(20, 3);
    LogStorage again = restart(log);
    assertThat(again.firstIndex()).isEqualTo(21);
    assertThat(again.lastIndex()).isEqualTo(20);
    assertThat(again.term(20)).isEqualTo(3);
    again.append(entries(21, 21, 3));
    assertThat(again.entries(21, 22, Long.MAX_VALUE)).isEqualTo(entries(21, 21, 3));
  }

  @Test
  void manyEntriesOfVaryingSizeRoundTrip() throws IOException {
    LogStorage log = log();
    List<LogEntry> all = new ArrayList<>();
    for (int i = 1; i <= 2000; i++) {
      byte[] data = new byte[(i * 37) % 300];
      for (int k = 0; k < data.length; k++) {
        data[k] = (byte) (i + k);
      }
      all.add(LogEntry.command(i, 1 + i / 500, Bytes.wrapUnsafe(data)));
    }
    for (int i = 0; i < all.size(); i += 100) {
      log.append(all.subList(i, i + 100));
    }
    log.sync();
    LogStorage again = restart(log);
    List<LogEntry> read = new ArrayList<>();
    while (read.size() < all.size()) {
      read.addAll(again.entries(read.size() + 1, all.size() + 1, 10_000));
    }
    assertThat(read).isEqualTo(all);
    assertThat(again.term(1999)).isEqualTo(4);
  }

  @Test
  void readersOnAnotherThreadSeeConsistentEntries() throws Exception {
    LogStorage log = log();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                long seen = 0;
                while (seen < 3000) {
                  long last = log.lastIndex();
                  if (last > seen) {
                    List<LogEntry> got = log.entries(seen + 1, last + 1, Long.MAX_VALUE);
                    for (LogEntry e : got) {
                      if (!e.equals(entry(e.index(), 1))) {
                        throw new AssertionError("read " + e);
                      }
                    }
                    seen += got.size();
                  }
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    reader.start();
    for (int i = 1; i <= 3000; i += 30) {
      log.append(entries(i, i + 29, 1));
    }
    reader.join(30_000);
    assertThat(reader.isAlive()).as("reader finished").isFalse();
    assertThat(failure.get()).isNull();
  }
}
