package io.jangada.raft.internal;

import io.jangada.raft.RaftException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Storage I/O failures in plain words. A full disk or an unwritable data directory is an operator's
 * problem, not a bug: one ERROR line naming the node, what it was doing, the file if known and the
 * system's reason, with what to do, tells more than a stack trace of 40 lines, which goes to DEBUG.
 * Anything else (a state machine throwing, a bug) keeps its stack trace. Stateless; any thread.
 * Public only for {@link StorageFailedException#ioReason()}; the package is not exported.
 */
public final class StorageFailures {

  /** What an operator does about a storage I/O failure. */
  static final String ADVICE =
      "free space or fix the disk or the data directory's permissions, then restart the node (stack"
          + " trace at DEBUG)";

  private StorageFailures() {}

  /**
   * Logs that node {@code id} stops on {@code error} after {@code what} (e.g. "storage failed while
   * persisting the log"): in plain words for a storage I/O failure, with the stack trace otherwise.
   */
  static void logStop(Logger log, NodeId id, String what, RaftException error) {
    Optional<String> io =
        error instanceof StorageFailedException storage ? storage.ioReason() : Optional.empty();
    if (io.isPresent()) {
      log.error("node {} stops: {}: {}; {}", id, what, io.get(), ADVICE);
      log.debug("node {} stops: {}", id, error.getMessage(), error.getCause());
    } else {
      log.error("node {} stops: {}", id, error.getMessage(), error.getCause());
    }
  }

  /**
   * The system's reason for the I/O error in {@code error}'s chain of causes, with the file if
   * known ({@link #reason}), or empty if no I/O error is among them.
   */
  public static Optional<String> ioReason(Throwable error) {
    return ioCause(error).map(StorageFailures::reason);
  }

  /**
   * The I/O error in {@code error}'s chain of causes (the cause of an {@link UncheckedIOException}
   * included), if any.
   */
  static Optional<IOException> ioCause(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UncheckedIOException unchecked) {
        return Optional.of(unchecked.getCause());
      }
      if (t instanceof IOException io) {
        return Optional.of(io);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * The system's reason with the file if known: {@code No space left on device (file
   * /data/log/1.seg)}, {@code permission denied (file /data/state.tmp)}.
   */
  static String reason(IOException e) {
    if (e instanceof FileSystemException fs) {
      String why =
          fs.getReason() != null
              ? fs.getReason()
              : fs instanceof AccessDeniedException
                  ? "permission denied"
                  : fs instanceof NoSuchFileException ? "no such file" : fs.getClass().getName();
      String file = fs.getFile() == null ? "" : fs.getFile();
      if (fs.getOtherFile() != null) {
        file += " -> " + fs.getOtherFile();
      }
      return file.isEmpty() ? why : why + " (file " + file + ")";
    }
    return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
  }
}
