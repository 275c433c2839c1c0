package io.jangada.raft.examples.kv.server;

import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.NodeId;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;

/**
 * How the server logs the failure that stopped its node before the process exits. A full disk or an
 * unwritable data directory is one ERROR line in plain words (what failed, the system's reason and
 * file, what to do), its stack trace at DEBUG: the operator needs no trace of FileChannel
 * internals. Anything else (the state machine throwing: a bug) keeps its stack trace.
 */
final class NodeFailureLog {

  private NodeFailureLog() {}

  /** Logs that node {@code self}, with data in {@code dataDir}, failed and the process exits. */
  static void log(Logger log, NodeId self, Path dataDir, int exitStatus, Throwable failure) {
    Throwable error =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    Optional<String> io =
        error instanceof StorageFailedException storage ? storage.ioReason() : Optional.empty();
    if (io.isEmpty()) {
      log.error(
          "node {} failed and stops serving; exiting with status {}: {}",
          self,
          exitStatus,
          error.getMessage(),
          error);
      return;
    }
    log.error(
        "{}: {}; exiting with status {}. Free space or fix the disk or the permissions of the data"
            + " directory {}, then start the node again: it catches up from the others (stack trace"
            + " at DEBUG)",
        withoutCause(error),
        io.get(),
        exitStatus,
        dataDir.toAbsolutePath());
    log.debug("node {} failed", self, error);
  }

  /** {@code error}'s message without the cause the library appends to it (": " + cause). */
  private static String withoutCause(Throwable error) {
    String message = String.valueOf(error.getMessage());
    String cause = ": " + error.getCause();
    return message.endsWith(cause)
        ? message.substring(0, message.length() - cause.length())
        : message;
  }
}
