package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * T3 crash consistency: runs a scripted sequence of appends, syncs, truncations, compactions,
 * resets and hard-state saves against the file log, crashes at every write/force point (with
 * several random choices of which unforced writes survive), reopens with the real file system and
 * checks that the log and hard state equal a state at or after the last completed sync or save.
 */
class CrashConsistencyTest {

  private static final long SEGMENT_SIZE = 256;
  private static final int VARIANTS = Boolean.getBoolean("jangada.soak") ? 40 : 3;
  private static final long BASE_SEED = Long.getLong("jangada.crash.seed", 20261122L);

  @TempDir Path tmp;

  /** The observable log: first index, term before it, entries. */
  record LogState(long first, long prevTerm, List<LogEntry> entries) {
    long last() {
      return first - 1 + entries.size();
    }

    LogState prefix(long lastIndex) {
      return new LogState(
          first, prevTerm, List.copyOf(entries.subList(0, (int) (lastIndex - first + 1))));
    }

    LogState plus(LogEntry e) {
      List<LogEntry> more = new ArrayList<>(entries);
      more.add(e);
      return new LogState(first, prevTerm, List.copyOf(more));
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("[" + first + ".." + last() + " prev=" + prevTerm);
      for (LogEntry e : entries) {
        sb.append(' ').append(e.index()).append('/').append(e.term());
      }
      return sb.append(']').toString();
    }
  }

  /** Runs the script against the storage and tracks which states a crash may leave. */
  private static final class Run {
    final SegmentedLog log;
    final FileStateStorage state;
    LogState current = new LogState(1, 0, List.of());
    List<LogState> allowedLogs = new ArrayList<>(List.of(current));
    List<HardState> allowedStates = new ArrayList<>(List.of(HardState.INITIAL));

    Run(SegmentedLog log, FileStateStorage state) {
      this.log = log;
      this.state = state;
    }

    void append(long from, long to, long term) throws IOException {
      List<LogEntry> batch = new ArrayList<>();
      for (long i = from; i <= to; i++) {
        batch.add(
            LogEntry.command(
                i, term, Bytes.ofUtf8("e" + i + "t" + term + "x".repeat((int) (i % 9)))));
      }
      // Intermediate states: the truncated prefixes, then each entry added.
      for (long l = current.last() - 1; l >= from - 1; l--) {
        current = current.prefix(l);
        allowedLogs.add(current);
      }
      for (LogEntry e : batch) {
        current = current.plus(e);
        allowedLogs.add(current);
      }
      log.append(batch);
    }

    void sync() throws IOException {
      log.sync();
      durable();
    }

    void compact(long index) throws IOException {
      long term =
          index == current.first() - 1
              ? current.prevTerm()
              : current.entries().get((int) (index - current.first())).term();
      current =
          new LogState(
              index + 1,
              term,
              List.copyOf(
                  current
                      .entries()
                      .subList((int) (index - current.first() + 1), current.entries().size())));
      allowedLogs.add(current);
      log.compactUpTo(index);
      durable();
    }

    void reset(long index, long term) throws IOException {
      current = new LogState(index + 1, term, List.of());
      allowedLogs.add(current);
      log.reset(index, term);
      durable();
    }

    void save(long term, String vote, long commit) throws IOException {
      HardState hs = new HardState(term, Optional.ofNullable(vote).map(NodeId::new), commit);
      allowedStates.add(hs);
      state.save(hs);
      allowedStates = new ArrayList<>(List.of(hs));
    }

    private void durable() {
      allowedLogs = new ArrayList<>(List.of(current));
    }
  }

  private static void script(Run r) throws IOException {
    r.save(1, "n1", 0);
    r.append(1, 8, 1);
    r.sync();
    r.append(9, 12, 1);
    r.append(13, 20, 1);
    r.sync();
    r.save(2, "n2", 5);
    r.append(15, 17, 2); // truncates inside the log
    r.sync();
    for (long i = 18; i <= 40; i += 5) {
      r.append(i, i + 4, 2);
      if (i % 2 == 0) {
        r.sync();
      }
    }
    r.append(12, 14, 3); // truncates across several segments
    r.append(15, 30, 3);
    r.sync();
    r.compact(20);
    r.append(31, 45, 3);
    r.sync();
    r.compact(44);
    r.save(3, null, 40);
    r.reset(60, 4);
    r.append(61, 70, 5);
    r.sync();
    r.append(65, 66, 6);
    r.save(6, "n1", 62);
    r.append(67, 80, 6);
    r.sync();
    r.reset(75, 6); // inside the log
    r.append(76, 90, 7);
    r.sync();
    r.append(91, 95, 7); // never synced
  }

  private Run start(Path root, FileIo io) throws IOException {
    io.createDirectories(root);
    return new Run(
        SegmentedLog.open(io, root.resolve("log"), SEGMENT_SIZE, 300, false),
        FileStateStorage.open(io, root, false));
  }

  @Test
  void everyCrashPointRecoversADurableState() throws IOException {
    Path dry = tmp.resolve("dry");
    CrashingFileIo counting = new CrashingFileIo(0);
    Run full = start(dry, counting);
    script(full);
    full.log.close();
    long points = counting.points();
    assertThat(points).as("crash points").isGreaterThan(100);
    int checked = 0;
    for (long k = 1; k <= points; k++) {
      for (int v = 0; v < VARIANTS; v++) {
        long seed = BASE_SEED * 1000 + k * VARIANTS + v;
        crashAndCheck(k, seed);
        checked++;
      }
    }
    System.out.println(
        "CrashConsistencyTest: "
            + points
            + " crash points x "
            + VARIANTS
            + " variants = "
            + checked
            + " crashes checked, base seed "
            + BASE_SEED);
  }

  private void crashAndCheck(long k, long seed) throws IOException {
    Path root = tmp.resolve("k" + k + "-" + seed);
    CrashingFileIo io = new CrashingFileIo(k);
    Run run = null;
    try {
      run = start(root, io);
      script(run);
    } catch (CrashingFileIo.Crash expected) {
      // the process stops here
    }
    assertThat(io.crashed()).as("crash point %s reached", k).isTrue();
    if (run == null) {
      deleteTree(root);
      return; // crashed while creating the directories: nothing was stored
    }
    run.log.close();
    io.materialize(root, new SplittableRandom(seed));
    String context =
        "crash point "
            + k
            + " seed "
            + seed
            + " (rerun with -Djangada.crash.seed="
            + BASE_SEED
            + ")";
    try (SegmentedLog log =
        SegmentedLog.open(RealFileIo.INSTANCE, root.resolve("log"), SEGMENT_SIZE, 300, false)) {
      LogState recovered = read(log);
      assertThat(run.allowedLogs).as("log after %s: %s", context, recovered).contains(recovered);
      HardState hs = FileStateStorage.open(RealFileIo.INSTANCE, root, false).load();
      assertThat(run.allowedStates).as("hard state after %s", context).contains(hs);
      if (k % 20 == 0) {
        // The recovered log must accept new writes and keep them.
        long next = log.lastIndex() + 1;
        log.append(List.of(LogEntry.command(next, 99, Bytes.ofUtf8("after"))));
        log.sync();
      }
    }
    if (k % 20 == 0) {
      try (SegmentedLog again =
          SegmentedLog.open(RealFileIo.INSTANCE, root.resolve("log"), SEGMENT_SIZE, 300, false)) {
        assertThat(again.term(again.lastIndex()))
            .as("write after recovery, %s", context)
            .isEqualTo(99);
      }
    }
    deleteTree(root);
  }

  private static LogState read(SegmentedLog log) {
    long first = log.firstIndex();
    List<LogEntry> entries = new ArrayList<>();
    while (first + entries.size() <= log.lastIndex()) {
      entries.addAll(log.entries(first + entries.size(), log.lastIndex() + 1, Long.MAX_VALUE));
    }
    return new LogState(first, log.term(first - 1), List.copyOf(entries));
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
