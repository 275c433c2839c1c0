package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileStorage as a whole: layout, directory lock, options, snapshots on disk, DumpTool. */
class FileStorageTest {

  @TempDir Path dir;

  private static final DataDirIdentity ID = DataDirIdentity.of("test", "n1");

  private static final FileStorageOptions SMALL =
      FileStorageOptions.builder().segmentSizeBytes(1024).build();

  private static SnapshotMeta meta(long index, long term) {
    return new SnapshotMeta(index, term, Membership.ofVoters(new NodeId("n1")));
  }

  private static void fill(FileStorage storage, int n) throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("value-" + i)));
    }
    storage.state().save(new HardState(1, Optional.empty(), 0));
    storage.log().append(entries);
    storage.log().sync();
  }

  @Test
  void aSecondInstanceCannotOpenTheSameDirectory() throws IOException {
    try (FileStorage first = FileStorage.open(dir, ID)) {
      assertThatThrownBy(() -> FileStorage.open(dir, ID))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(dir.toAbsolutePath().toString())
          .hasMessageContaining("locked");
      assertThat(first.log().lastIndex()).isZero();
    }
    try (FileStorage again = FileStorage.open(dir, ID)) {
      assertThat(again.directory()).isEqualTo(dir);
    }
  }

  /**
   * A data directory path that names a file fails {@code open} saying so, not with the JDK's bare
   * {@code FileAlreadyExistsException: /path} (which reads as if the directory were in use); a
   * missing path is named.
   */
  @Test
  void aDataDirectoryThatIsAFileIsRefusedSayingSo() throws IOException {
    Path file = Files.writeString(dir.resolve("raft"), "not a directory");
    assertThatThrownBy(() -> FileStorage.open(file, ID))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class)
        .hasMessageContaining(file.toAbsolutePath().toString())
        .hasMessageContaining("not a directory");
    assertThat(Files.readString(file)).isEqualTo("not a directory");
    assertThatThrownBy(() -> FileStorage.open(null, ID))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("dir");
  }

  @Test
  void optionsAreValidatedWithClearMessages() {
    assertThat(FileStorageOptions.defaults().segmentSizeBytes()).isEqualTo(64L << 20);
    assertThat(FileStorageOptions.defaults().snapshotsToRetain()).isEqualTo(2);
    assertThatThrownBy(() -> FileStorageOptions.builder().segmentSizeBytes(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segmentSizeBytes");
    assertThatThrownBy(() -> FileStorageOptions.builder().snapshotsToRetain(0).build())
        .hasMessageContaining("snapshotsToRetain");
    assertThatThrownBy(() -> FileStorageOptions.builder().entryCacheBytes(-1).build())
        .hasMessageContaining("entryCacheBytes");
    FileStorageOptions custom = SMALL.toBuilder().snapshotsToRetain(3).build();
    assertThat(custom.segmentSizeBytes()).isEqualTo(1024);
    assertThat(custom.snapshotsToRetain()).isEqualTo(3);
  }

  @Test
  void compactionDeletesWholeSegmentsAndIsExactAfterReopen() throws IOException {
    try (FileStorage storage = FileStorage.open(dir, ID, SMALL)) {
      fill(storage, 200);
      long before = countSegments();
      storage.log().compactUpTo(150);
      assertThat(countSegments()).isLessThan(before);
    }
    try (FileStorage storage = FileStorage.open(dir, ID, SMALL)) {
      assertThat(storage.log().firstIndex()).isEqualTo(151);
      assertThat(storage.log().term(150)).isEqualTo(1);
      assertThat(storage.log().entries(151, 152, 0).get(0).data())
          .isEqualTo(Bytes.ofUtf8("value-151"));
    }
  }

  private long countSegments() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      return files.filter(p -> SegmentName.parse(p).isPresent()).count();
    }
  }

  @Test
  void halfWrittenSnapshotsAreDeletedOnOpenAndDamagedDataIsDetectedOnRead() throws IOException {
    try (FileStorage storage = FileStorage.open(dir, ID)) {
      storage.state().save(new HardState(1, Optional.empty(), 0)); // older than no snapshot
      SnapshotStorage snapshots = storage.snapshots();
      try (SnapshotStorage.Sink sink = snapshots.create(meta(10, 1))) {
        sink.stream().write("state at 10".getBytes(StandardCharsets.UTF_8));
        sink.commit();
      }
      SnapshotStorage.Sink unfinished = snapshots.create(meta(20, 1));
      unfinished.stream().write(new byte[100]);
      unfinished.stream().flush();
      // the process dies here: the sink is never committed nor closed
    }
    try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".tmp"));
    }
    try (FileStorage storage = FileStorage.open(dir, ID)) {
      assertThat(storage.snapshots().latest()).contains(meta(10, 1));
      try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
      }
      Path file = dir.resolve("snapshots").resolve(SnapshotDir.fileName(meta(10, 1)));
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        long dataAt = f.length() - 16 - 3;
        f.seek(dataAt);
        f.write('X');
      }
      assertThatThrownBy(
              () -> {
                try (InputStream in = storage.snapshots().open(meta(10, 1))) {
                  in.readAllBytes();
                }
              })
          .isInstanceOf(IOException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("checksum");
    }
  }

  @Test
  void dumpToolVerifiesAndDumpsAndReportsCorruption() throws IOException {
    try (FileStorage storage = FileStorage.open(dir, ID, SMALL)) {
      fill(storage, 100);
      storage.state().save(new HardState(3, Optional.of(new NodeId("n2")), 90));
      try (SnapshotStorage.Sink sink = storage.snapshots().create(meta(50, 1))) {
        sink.stream().write(new byte[] {1, 2, 3});
        sink.commit();
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = run(out, err, "verify", dir.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("identity: cluster=test node=n1")
        .contains("hard state: term=3 vote=n2 commit=90")
        .contains("snapshot snap-")
        .contains("segment log-00000000000000000001-")
        .contains("log: first=1 last=100")
        .endsWith("OK" + System.lineSeparator());

    out.reset();
    assertThat(run(out, err, "dump", dir.toString(), "--from", "98", "--limit", "2")).isZero();
    assertThat(out.toString())
        .contains("98/1 COMMAND \"value-98\"")
        .contains("99/1 COMMAND")
        .doesNotContain("100/1 COMMAND");

    Path first;
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      first =
          files.filter(p -> SegmentName.parse(p).isPresent()).sorted().findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
      f.seek(40);
      f.write(f.read() ^ 0x10);
    }
    out.reset();
    err.reset();
    assertThat(run(out, err, "verify", dir.toString())).isEqualTo(1);
    assertThat(err.toString())
        .contains("CORRUPT")
        .contains(first.toString())
        .contains("at offset 28");
    assertThat(run(out, err, "frobnicate")).isEqualTo(2);
  }

  private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    return DumpTool.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
