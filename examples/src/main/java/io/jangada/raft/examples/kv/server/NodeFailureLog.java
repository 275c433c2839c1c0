package io.jangada.raft.examples.kv.server;

import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
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
    Optional<IOException> io =
        error instanceof StorageFailedException ? ioCause(error.getCause()) : Optional.empty();
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
        reason(io.get()),
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

  /** The I/O error in {@code error}'s causes (an {@link UncheckedIOException}'s included). */
  static Optional<IOException> ioCause(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UncheckedIOException unchecked) {
        return Optional.of(unchecked.getCause());
      }
      if (t instanceof IOException io) {
        return Optional.of(io);
      }
    }
    return Optional.empty();
  }

  /** The system's reason, with the file if the exception names it. */
  static String reason(IOException e) {
    if (e instanceof FileSystemException fs) {
      String why =
          fs.getReason() != null
              ? fs.getReason()
              : fs instanceof AccessDeniedException ? "permission denied" : fs.getClass().getName();
      return fs.getFile() == null ? why : why + " (file " + fs.getFile() + ")";
    }
    return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
  }
}
