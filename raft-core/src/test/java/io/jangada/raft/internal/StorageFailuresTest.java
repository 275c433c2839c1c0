package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftException;
import io.jangada.raft.StateMachineException;
import io.jangada.raft.model.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node stopped by a full or unwritable disk logs one ERROR line in plain words (the node, what it
 * was doing, the file if known, the system's reason, what to do) with the stack trace at DEBUG
 * only; a failure that is no storage I/O failure (a state machine's bug) keeps its stack trace.
 * Captured from slf4j-simple, which writes to {@code System.err}.
 */
class StorageFailuresTest {

  private static final NodeId N3 = NodeId.of("n3");

  @Test
  void aFullDiskIsOneErrorLineWithoutStackTrace() {
    RaftException error =
        NodeErrors.storageFailed(
            N3, "persisting the log", new IOException("No space left on device"));

    List<String> lines = logStop("info", "storage failed while persisting the log", error);

    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .contains("ERROR")
        .contains(
            "node n3 stops: storage failed while persisting the log: No space left on device;")
        .contains("free space")
        .contains("restart the node")
        .doesNotContain("java.io.IOException");
  }

  @Test
  void theStackTraceOfAStorageFailureIsLoggedAtDebug() {
    RaftException error =
        NodeErrors.storageFailed(
            N3, "persisting the log", new IOException("No space left on device"));

    List<String> lines = logStop("debug", "storage failed while persisting the log", error);

    assertThat(lines.get(0)).contains("ERROR").contains("No space left on device");
    assertThat(lines.get(1)).contains("DEBUG").contains("node n3 stops");
    assertThat(lines).anyMatch(l -> l.startsWith("java.io.IOException: No space left on device"));
    assertThat(lines).anyMatch(l -> l.startsWith("\tat "));
  }

  @Test
  void aFileSystemErrorNamesTheFileAndTheReason() {
    RaftException error =
        NodeErrors.storageFailed(
            N3,
            "saving the state file",
            new FileSystemException("/data/n3/state.tmp", null, "Read-only file system"));

    List<String> lines = logStop("info", "storage failed while saving the state file", error);

    assertThat(lines)
        .singleElement()
        .asString()
        .contains(
            "node n3 stops: storage failed while saving the state file: Read-only file system"
                + " (file /data/n3/state.tmp);");
  }

  @Test
  void anUncheckedIoErrorIsAStorageFailureToo() {
    RaftException error =
        NodeErrors.storageFailed(
            N3,
            "compacting",
            new UncheckedIOException(new AccessDeniedException("/data/n3/log/1.seg")));

    List<String> lines = logStop("info", "storage failed compacting", error);

    assertThat(lines)
        .singleElement()
        .asString()
        .contains("storage failed compacting: permission denied (file /data/n3/log/1.seg);");
  }

  @Test
  void aStateMachineFailureKeepsItsStackTrace() {
    RaftException error =
        new StateMachineException(
            "the state machine of node n3 threw applying the committed entry at index 7",
            new IllegalStateException("bug"));

    List<String> lines = logStop("info", "the state machine failed", error);

    assertThat(lines.get(0)).contains("ERROR").contains("node n3 stops: the state machine");
    assertThat(lines).contains("java.lang.IllegalStateException: bug");
    assertThat(lines).anyMatch(l -> l.startsWith("\tat "));
  }

  @Test
  void aStorageFailureThatIsNoIoErrorKeepsItsStackTrace() {
    RaftException error =
        NodeErrors.storageFailed(N3, "persisting the log", new IllegalStateException("bug"));

    List<String> lines = logStop("info", "storage failed while persisting the log", error);

    assertThat(lines).contains("java.lang.IllegalStateException: bug");
    assertThat(lines).anyMatch(l -> l.startsWith("\tat "));
  }

  private static int loggers;

  /** The lines {@link StorageFailures#logStop} writes through a fresh logger at {@code level}. */
  private static List<String> logStop(String level, String what, RaftException error) {
    // slf4j-simple reads a logger's level from the system properties when the logger is created.
    String name = StorageFailuresTest.class.getName() + ".logger" + loggers++;
    System.setProperty("org.slf4j.simpleLogger.log." + name, level);
    Logger log = LoggerFactory.getLogger(name);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      StorageFailures.logStop(log, N3, what, error);
    } finally {
      System.setErr(original);
    }
    return Arrays.asList(err.toString(StandardCharsets.UTF_8).split("\\R"));
  }
}
