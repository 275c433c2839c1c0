package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files on open: a torn tail is cut with a warning, anything else fails {@code open} with
 * the file and offset. Bit flips are placed with a seeded random generator; the seed is in every
 * assertion message.
 */
class CorruptionTest {

  private static final long SEGMENT_SIZE = 512;
  private static final int ENTRIES = 40;
  private static final long SEED = Long.getLong("jangada.corruption.seed", 7_2026_1122L);

  @TempDir Path tmp;
  private Path pristine;

  @BeforeEach
  void writeLog() throws IOException {
    pristine = tmp.resolve("pristine");
    try (SegmentedLog log = open(pristine)) {
      List<LogEntry> all = new ArrayList<>();
      for (int i = 1; i <= ENTRIES; i++) {
        all.add(LogEntry.command(i, 1 + i / 10, Bytes.ofUtf8("entry-" + i + "-".repeat(i % 7))));
      }
      log.append(all);
      log.sync();
    }
  }

  private static SegmentedLog open(Path dir) throws IOException {
    return SegmentedLog.open(RealFileIo.INSTANCE, dir, SEGMENT_SIZE, 0, false);
  }

  private Path copy(String name) throws IOException {
    Path target = tmp.resolve(name);
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(pristine)) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return target;
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> SegmentName.parse(p).isPresent()).sorted().toList();
    }
  }

  /** The offset of the last record of the last segment. */
  private static long tailRecordOffset(Path dir) throws IOException {
    try (SegmentedLog log = SegmentedLog.open(RealFileIo.INSTANCE, dir, SEGMENT_SIZE, 0, true)) {
      assertThat(log.lastIndex()).isEqualTo(ENTRIES);
    }
    Path last = segments(dir).get(segments(dir).size() - 1);
    long pos = RecordFormat.HEADER_SIZE;
    long tail = pos;
    try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "r")) {
      while (pos < f.length()) {
        tail = pos;
        f.seek(pos);
        pos += RecordFormat.FRAME_HEADER + f.readInt();
      }
    }
    return tail;
  }

  private static void flipBit(Path file, long offset, int bit) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ (1 << bit));
    }
  }

  @Test
  void theLogSpansSeveralSegments() throws IOException {
    assertThat(segments(pristine)).hasSizeGreaterThan(3);
  }

  @Test
  void aTornTailOfAnyLengthIsCutBackToTheLastWholeRecord() throws IOException {
    Path lastName = segments(pristine).get(segments(pristine).size() - 1).getFileName();
    long size = Files.size(pristine.resolve(lastName));
    long firstOfLast = SegmentName.parse(lastName).orElseThrow().first();
    for (long cut = RecordFormat.HEADER_SIZE; cut < size; cut++) {
      Path dir = copy("cut" + cut);
      try (RandomAccessFile f = new RandomAccessFile(dir.resolve(lastName).toFile(), "rw")) {
        f.setLength(cut);
      }
      long last;
      try (SegmentedLog log = open(dir)) {
        assertThat(log.lastIndex()).as("cut at %s", cut).isBetween(firstOfLast - 1, ENTRIES - 1L);
        last = log.lastIndex();
        if (last >= firstOfLast) {
          assertThat(log.entries(firstOfLast, last + 1, Long.MAX_VALUE))
              .hasSize((int) (last - firstOfLast + 1));
        }
      }
      // A second open finds nothing more to repair.
      try (SegmentedLog again = open(dir)) {
        assertThat(again.lastIndex()).isEqualTo(last);
        assertThat(again.recoveryNotes()).noneMatch(n -> n.startsWith("WARN"));
      }
    }
  }

  @Test
  void aBitFlipInTheTailRecordIsTruncatedWithAWarning() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int trial = 0; trial < 50; trial++) {
      Path dir = copy("tail" + trial);
      Path last = segments(dir).get(segments(dir).size() - 1);
      long tail = tailRecordOffset(dir);
      long offset = tail + random.nextLong(Files.size(last) - tail);
      flipBit(last, offset, random.nextInt(8));
      try (SegmentedLog log = open(dir)) {
        String context = "seed " + SEED + " trial " + trial + " offset " + offset;
        assertThat(log.lastIndex()).as(context).isEqualTo(ENTRIES - 1);
        assertThat(log.recoveryNotes())
            .as(context)
            .anyMatch(
                n -> n.startsWith("WARN torn tail in " + last) && n.contains("at offset " + tail));
      }
    }
  }

  @Test
  void aBitFlipBeforeTheTailFailsOpenNamingFileAndOffset() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    List<Path> files = segments(pristine);
    long tail = tailRecordOffset(pristine);
    for (int trial = 0; trial < 200; trial++) {
      int which = random.nextInt(files.size());
      Path name = files.get(which).getFileName();
      boolean isLast = which == files.size() - 1;
      long limit = isLast ? tail : Files.size(files.get(which));
      long offset = random.nextLong(limit);
      int bit = random.nextInt(8);
      Path dir = copy("flip" + trial);
      flipBit(dir.resolve(name), offset, bit);
      String context =
          "seed " + SEED + " trial " + trial + ": bit " + bit + " of " + name + "@" + offset;
      assertThatThrownBy(() -> open(dir).close())
          .as(context)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(dir.resolve(name).toString())
          .hasMessageContaining("at offset ");
    }
  }

  @Test
  void aMissingMiddleSegmentIsAGap() throws IOException {
    Path dir = copy("gap");
    Path middle = segments(dir).get(1);
    Files.delete(middle);
    assertThatThrownBy(() -> open(dir).close())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("gap in the log")
        .hasMessageContaining(segments(dir).get(1).toString());
  }

  @Test
  void aDamagedMetaFileFailsOpen() throws IOException {
    Path dir = copy("meta");
    try (SegmentedLog log = open(dir)) {
      log.compactUpTo(5);
    }
    flipBit(dir.resolve(LogMeta.FILE_NAME), 12, 3);
    assertThatThrownBy(() -> open(dir).close())
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve(LogMeta.FILE_NAME).toString());
  }

  @Test
  void corruptionInAClosedSegmentIsReportedOnReadIfItAppearsAfterOpen() throws IOException {
    Path dir = copy("late");
    try (SegmentedLog log = open(dir)) {
      Path first = segments(dir).get(0);
      flipBit(first, RecordFormat.HEADER_SIZE + RecordFormat.FRAME_HEADER + 20, 1);
      assertThatThrownBy(() -> log.entries(1, 2, Long.MAX_VALUE))
          .isInstanceOf(io.jangada.raft.storage.StorageException.class)
          .hasMessageContaining(first.toString())
          .hasMessageContaining("at offset " + RecordFormat.HEADER_SIZE);
    }
  }
}
