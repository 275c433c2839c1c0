package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TESTING.md tier T10 at the storage level: the operator faults of issue 12 on one data directory.
 * Each ends in a clear refusal naming what is wrong, or in a state from which the node can catch
 * up, and never in silently wrong data.
 */
class OperatorFaultsTest {

  private static final DataDirIdentity N1 = DataDirIdentity.of("c1", "n1");
  private static final DataDirIdentity N2 = DataDirIdentity.of("c1", "n2");

  @TempDir Path root;

  /** A directory of {@code identity} holding entries 1..n of {@code term}, state term 3. */
  private Path populated(String name, DataDirIdentity identity, int n) throws IOException {
    Path dir = root.resolve(name);
    try (FileStorage storage = FileStorage.open(dir, identity)) {
      storage.state().save(new HardState(3, Optional.of(identity.nodeId()), n));
      storage.log().append(entries(1, n, 3));
      storage.log().sync();
    }
    return dir;
  }

  private static List<LogEntry> entries(long from, int n, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i < from + n; i++) {
      out.add(LogEntry.command(i, term, Bytes.ofUtf8("value-" + i)));
    }
    return out;
  }

  @Test
  void theDirectoryRemembersItsNodeAndClusterAndRefusesOthers() throws IOException {
    Path dir = populated("a", N1, 5);
    assertThatThrownBy(() -> FileStorage.open(dir, N2))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("node n1 of cluster c1")
        .hasMessageContaining("not to node n2 of cluster c1");
    assertThatThrownBy(() -> FileStorage.open(dir, DataDirIdentity.of("c2", "n1")))
        .hasMessageContaining("node n1 of cluster c1")
        .hasMessageContaining("node n1 of cluster c2");
    try (FileStorage again = FileStorage.open(dir, N1)) {
      assertThat(again.identity()).isEqualTo(N1);
      assertThat(again.log().lastIndex()).isEqualTo(5);
    }
    assertThat(dumpVerify(dir)).contains("identity: cluster=c1 node=n1").endsWith("OK\n");
  }

  @Test
  void swappedDirectoriesAreRefusedOnBothNodes() throws IOException {
    Path a = populated("a", N1, 5);
    Path b = populated("b", N2, 7);
    // The operator mounted each node's volume on the other node.
    assertThatThrownBy(() -> FileStorage.open(b, N1))
        .hasMessageContaining(b.toAbsolutePath().toString())
        .hasMessageContaining("belongs to node n2 of cluster c1, not to node n1 of cluster c1");
    assertThatThrownBy(() -> FileStorage.open(a, N2))
        .hasMessageContaining("belongs to node n1 of cluster c1, not to node n2 of cluster c1");
  }

  @Test
  void dataWithoutAnIdentityIsRefused() throws IOException {
    Path dir = populated("a", N1, 5);
    Files.delete(dir.resolve(IdentityFile.FILE_NAME));
    assertThatThrownBy(() -> FileStorage.open(dir, N1))
        .hasMessageContaining("holds Raft data but no identity file");
    assertThat(dumpVerify(dir)).contains("identity: none recorded");
  }

  @Test
  void aMissingStateFileBesideALogIsRefusedAndReported() throws IOException {
    Path dir = populated("a", N1, 5);
    Files.delete(dir.resolve(FileStateStorage.FILE_NAME));
    assertThatThrownBy(() -> FileStorage.open(dir, N1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the term/vote file 'state' is missing")
        .hasMessageContaining("log ends at index 5 (term 3)")
        .hasMessageContaining("vote twice");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(DumpTool.run(new String[] {"verify", dir.toString()}, print(out), print(out)))
        .isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("(no state file)")
        .contains("INCONSISTENT: ")
        .contains("is missing");
  }

  @Test
  void aStateFileOlderThanTheLogIsRefusedAndReported() throws IOException {
    Path dir = populated("a", N1, 5);
    try (FileStorage storage = FileStorage.open(dir, N1)) {
      storage.state().save(new HardState(4, Optional.empty(), 5));
      storage.log().append(entries(6, 2, 4));
      storage.log().sync();
    }
    // An old copy of the state file (term 3) is put back, as from a backup or another node.
    Path old = populated("old", DataDirIdentity.of("c1", "n9"), 1).resolve("state");
    Files.copy(old, dir.resolve("state"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> FileStorage.open(dir, N1))
        .hasMessageContaining("the log ends at index 7 of term 4")
        .hasMessageContaining("holds the older term 3");
    assertThat(dumpVerify(dir)).contains("INCONSISTENT: ").contains("older term 3");
  }

  @Test
  void aTornAcknowledgedTailIsCutButTheStoredCommitShowsTheLoss() throws IOException {
    Path dir = populated("a", N1, 10); // synced, and commit 10 stored
    Path segment = openSegment(dir);
    long cut = insideRecord(segment, 8);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(cut);
    }
    try (FileStorage storage = FileStorage.open(dir, N1)) {
      // Recovery cannot tell this from a crash mid-write and cuts the tail; the stored commit index
      // beyond the log end is what tells the core (RaftCore.open) that synced entries were lost.
      assertThat(storage.log().lastIndex()).isEqualTo(7);
      assertThat(storage.state().load().commit()).isEqualTo(10);
      assertThat(storage.log().entries(7, 8, Long.MAX_VALUE).get(0).data())
          .isEqualTo(Bytes.ofUtf8("value-7"));
    }
  }

  @Test
  void aFullDiskFailsTheWriteAndLosesNothingSynced() throws IOException {
    Path dir = root.resolve("a");
    FaultyFileIo io = new FaultyFileIo();
    try (FileStorage storage = FileStorage.open(io, dir, N1, FileStorageOptions.defaults())) {
      storage.state().save(new HardState(3, Optional.empty(), 0));
      storage.log().append(entries(1, 5, 3));
      storage.log().sync();
      io.fault = FaultyFileIo.Fault.FULL;
      assertThatThrownBy(
              () -> {
                storage.log().append(entries(6, 5, 3));
                storage.log().sync();
              })
          .hasMessageContaining("No space left on device");
      assertThatThrownBy(() -> storage.state().save(new HardState(4, Optional.empty(), 5)))
          .hasMessageContaining("No space left on device");
    }
    io.fault = FaultyFileIo.Fault.NONE; // space freed
    try (FileStorage storage = FileStorage.open(io, dir, N1, FileStorageOptions.defaults())) {
      assertThat(storage.log().lastIndex()).isEqualTo(5);
      assertThat(storage.state().load().term()).isEqualTo(3);
      assertThat(storage.log().entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 3));
    }
  }

  @Test
  void aFullDiskRefusesANewDirectoryClearly() {
    FaultyFileIo io = new FaultyFileIo();
    io.fault = FaultyFileIo.Fault.FULL;
    Path dir = root.resolve("new");
    assertThatThrownBy(() -> FileStorage.open(io, dir, N1, FileStorageOptions.defaults()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("No space left on device");
  }

  @Test
  void aReadOnlyDirectoryIsRefusedAtOpenWithTheDataIntact() throws IOException {
    Path dir = populated("a", N1, 5);
    FaultyFileIo io = new FaultyFileIo();
    io.fault = FaultyFileIo.Fault.READ_ONLY;
    assertThatThrownBy(() -> FileStorage.open(io, dir, N1, FileStorageOptions.defaults()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Read-only file system")
        .hasMessageContaining(dir.toString());
    try (FileStorage storage = FileStorage.open(dir, N1)) {
      assertThat(storage.log().entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 3));
    }
  }

  @Test
  void aDirectoryTurnedReadOnlyWhileOpenFailsWrites() throws IOException {
    Path dir = root.resolve("a");
    FaultyFileIo io = new FaultyFileIo();
    try (FileStorage storage = FileStorage.open(io, dir, N1, FileStorageOptions.defaults())) {
      storage.state().save(new HardState(3, Optional.of(NodeId.of("n1")), 0));
      storage.log().append(entries(1, 3, 3));
      storage.log().sync();
      io.fault = FaultyFileIo.Fault.READ_ONLY;
      assertThatThrownBy(
              () -> {
                storage.log().append(entries(4, 1, 3));
                storage.log().sync();
              })
          .hasMessageContaining("Read-only file system");
      assertThatThrownBy(() -> storage.state().save(new HardState(4, Optional.empty(), 3)))
          .hasMessageContaining("Read-only file system");
    }
    try (FileStorage storage = FileStorage.open(dir, N1)) {
      assertThat(storage.log().lastIndex()).isEqualTo(3);
      assertThat(storage.state().load())
          .isEqualTo(new HardState(3, Optional.of(NodeId.of("n1")), 0));
    }
  }

  @Test
  void dumpToolInspectsAReadOnlyDirectoryWithoutWriting() throws IOException {
    Path dir = populated("a", N1, 5);
    FaultyFileIo io = new FaultyFileIo();
    io.fault = FaultyFileIo.Fault.READ_ONLY; // a read-only mount, or a backup owned by another user
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(DumpTool.run(io, new String[] {"verify", dir.toString()}, print(out), print(out)))
        .isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("identity: cluster=c1 node=n1")
        .contains("last=5")
        .doesNotContain("CORRUPT");
  }

  @Test
  void aDirectoryWithoutAccessIsSaidSoNotCalledCorrupt() throws IOException {
    Path dir = populated("a", N1, 5);
    FaultyFileIo io = new FaultyFileIo();
    io.fault = FaultyFileIo.Fault.ACCESS_DENIED;
    assertThatThrownBy(() -> FileStorage.open(io, dir, N1, FileStorageOptions.defaults()))
        .isInstanceOf(java.nio.file.AccessDeniedException.class)
        .hasMessageContaining("permission denied")
        .hasMessageContaining("read and write its data directory " + dir.toAbsolutePath());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(DumpTool.run(io, new String[] {"verify", dir.toString()}, print(out), print(err)))
        .isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("CORRUPT");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("error: cannot read ")
        .contains(": permission denied");
  }

  @Test
  void aLostSnapshotBehindACompactedLogIsReportedByDumpTool() throws IOException {
    Path dir = populated("a", N1, 5);
    try (FileStorage storage = FileStorage.open(dir, N1)) {
      for (long index : new long[] {3, 5}) {
        try (var sink =
            storage
                .snapshots()
                .create(
                    new io.jangada.raft.model.SnapshotMeta(
                        index, 3, io.jangada.raft.model.Membership.ofVoters(N1.nodeId())))) {
          sink.stream().write(new byte[] {1, 2, 3});
          sink.commit();
        }
      }
      storage.log().compactUpTo(5);
    }
    assertThat(dumpVerify(dir)).endsWith("OK\n");
    try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
      Files.delete(files.sorted().reduce((a, b) -> b).orElseThrow()); // the newest, at index 5
    }
    // The storage opens it (compacting is its caller's business); a Raft node refuses to start.
    assertThat(dumpVerify(dir))
        .contains("INCONSISTENT: ")
        .contains("the log starts after index 5 but no snapshot covers it")
        .contains("the newest is at index 3")
        .contains("a snapshot file was lost");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(DumpTool.run(new String[] {"verify", dir.toString()}, print(out), print(out)))
        .isEqualTo(1);
    try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    assertThat(dumpVerify(dir)).contains("INCONSISTENT: ").contains("none is left");
  }

  @Test
  void dumpToolSaysWhenTheNodeIsRunning() throws IOException {
    Path dir = populated("a", N1, 5);
    assertThat(dumpVerify(dir)).doesNotContain("note:").endsWith("OK\n");
    try (FileStorage running = FileStorage.open(dir, N1)) {
      assertThat(running.log().lastIndex()).isEqualTo(5);
      assertThat(dumpVerify(dir)).contains("note: a node has this directory open").endsWith("OK\n");
    }
  }

  // ---- helpers

  static Path openSegment(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      return files
          .filter(p -> SegmentName.parse(p).isPresent())
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
  }

  /** An offset in the middle of the record of entry {@code index} in {@code segment}. */
  static long insideRecord(Path segment, long index) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
    int offset = RecordFormat.HEADER_SIZE;
    while (offset + RecordFormat.FRAME_HEADER + 8 <= b.limit()) {
      int length = b.getInt(offset);
      if (b.getLong(offset + RecordFormat.FRAME_HEADER) == index) {
        return offset + RecordFormat.FRAME_HEADER + length / 2;
      }
      offset += RecordFormat.FRAME_HEADER + length;
    }
    throw new AssertionError("no record of entry " + index + " in " + segment);
  }

  private static String dumpVerify(Path dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DumpTool.run(new String[] {"verify", dir.toString()}, print(out), print(out));
    return out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
  }

  private static PrintStream print(ByteArrayOutputStream out) {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }
}
