package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RealFileIo#exists} answers only when the file system can tell: a directory this process
 * may not search must not pass for an empty one (DumpTool said "identity: none recorded ... no log
 * ... OK" for another user's mode-700 data directory).
 */
class RealFileIoTest {

  @TempDir Path root;

  @Test
  void existsAnswersForPresentAndAbsentFiles() throws IOException {
    Path file = Files.writeString(root.resolve("f"), "x");
    assertThat(RealFileIo.INSTANCE.exists(file)).isTrue();
    assertThat(RealFileIo.INSTANCE.exists(root)).isTrue();
    assertThat(RealFileIo.INSTANCE.exists(root.resolve("absent"))).isFalse();
  }

  @Test
  void existsThrowsWhenTheFileSystemCannotTell() throws IOException {
    // A path below a regular file: stat fails with ENOTDIR, as it fails with EACCES below a
    // directory this process may not search (which root, who runs these tests, always may).
    Path file = Files.writeString(root.resolve("f"), "x");
    assertThat(Files.exists(file.resolve("x"))).isFalse(); // what the JDK would have said
    assertThatThrownBy(() -> RealFileIo.INSTANCE.exists(file.resolve("x")))
        .isInstanceOf(FileSystemException.class);
  }

  @Test
  void aFullDiskNamesTheFile() throws IOException {
    // Writing to /dev/full fails with ENOSPC, as on a full file system; the JDK's exception names
    // no file.
    Path full = Path.of("/dev/full");
    assumeTrue(Files.isWritable(full), "needs Linux's /dev/full");
    try (FileIo.IoFile file = RealFileIo.INSTANCE.open(full)) {
      assertThatThrownBy(() -> file.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0))
          .isInstanceOfSatisfying(
              FileSystemException.class,
              e -> {
                assertThat(e.getFile()).isEqualTo("/dev/full");
                assertThat(e.getReason()).isEqualTo("No space left on device");
              })
          .hasMessage("/dev/full: No space left on device")
          .hasCauseExactlyInstanceOf(IOException.class);
    }
  }

  @Test
  void dumpToolDoesNotTakeADirectoryItCannotReadForAnEmptyOne() throws IOException {
    // As above: stat below a regular file fails (ENOTDIR) as it does (EACCES) below a directory
    // this
    // process may not search, and root, who runs these tests, can search every directory.
    Path notADirectory = Files.writeString(root.resolve("f"), "x");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(
            DumpTool.run(
                new String[] {"verify", notADirectory.resolve("data").toString()}, print, print))
        .isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("error: cannot read");
  }
}
