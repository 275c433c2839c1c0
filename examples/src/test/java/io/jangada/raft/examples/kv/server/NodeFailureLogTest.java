package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.StateMachineException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's last word before it exits on a failed node: a full disk is one ERROR line in plain
 * words naming the node, what it was doing, the reason, the file and the data directory, its stack
 * trace at DEBUG only; a state machine's exception keeps its stack trace. Captured from
 * slf4j-simple, which writes to {@code System.err}.
 */
class NodeFailureLogTest {

  private static final NodeId N3 = NodeId.of("n3");
  private static final AtomicInteger LOGGERS = new AtomicInteger();

  @Test
  void aFullDiskIsOneLineInPlainWords() {
    IOException full =
        new FileSystemException("/data/n3/log/00000001.seg", null, "No space left on device");
    // As the library builds it (NodeErrors.storageFailed), wrapped as a dependent future would.
    Throwable failure =
        new CompletionException(
            new StorageFailedException(
                "node n3 stopped: its storage failed persisting the log: " + full, full));

    List<String> lines = log("info", failure);

    assertThat(lines)
        .singleElement()
        .asString()
        .contains(
            "ERROR ServerCommand - node n3 stopped: its storage failed persisting the log: No space"
                + " left on device (file /data/n3/log/00000001.seg); exiting with status 1.")
        .contains("the data directory " + Path.of("/data/n3").toAbsolutePath())
        .contains("start the node again")
        .doesNotContain("FileSystemException");
  }

  @Test
  void theStackTraceOfAFullDiskIsAtDebug() {
    IOException full = new IOException("No space left on device");
    Throwable failure =
        new StorageFailedException(
            "node n3 stopped: its storage failed saving the state file: " + full, full);

    List<String> lines = log("debug", failure);

    assertThat(lines.get(0))
        .contains("ERROR")
        .contains("its storage failed saving the state file: No space left on device;");
    assertThat(lines.get(1)).contains("DEBUG").contains("node n3 failed");
    assertThat(lines).anyMatch(l -> l.startsWith("\tat "));
  }

  @Test
  void aStateMachineFailureKeepsItsStackTrace() {
    Throwable failure =
        new StateMachineException(
            "the state machine of node n3 threw applying the committed entry at index 7",
            new IllegalStateException("bug"));

    List<String> lines = log("info", failure);

    assertThat(lines.get(0))
        .contains("ERROR")
        .contains("node n3 failed and stops serving; exiting with status 1: the state machine");
    assertThat(lines).contains("Caused by: java.lang.IllegalStateException: bug");
    assertThat(lines).anyMatch(l -> l.startsWith("\tat "));
  }

  /** What {@link NodeFailureLog#log} writes through a fresh logger at {@code level}. */
  private static List<String> log(String level, Throwable failure) {
    // slf4j-simple reads a logger's level from the system properties when the logger is created;
    // its short name is the last part of the name.
    String name = "test" + LOGGERS.incrementAndGet() + ".ServerCommand";
    System.setProperty("org.slf4j.simpleLogger.log." + name, level);
    Logger log = LoggerFactory.getLogger(name);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      NodeFailureLog.log(log, N3, Path.of("/data/n3"), 1, failure);
    } finally {
      System.setErr(original);
    }
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
