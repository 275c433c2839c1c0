package io.jangada.raft;

import io.jangada.raft.internal.StorageFailures;
import java.util.Optional;

/**
 * A storage operation failed (for example a full or read-only disk). This is fatal for the node: it
 * stopped (its status is {@link RaftStatus.State#FAILED}, role {@link Role#FOLLOWER}, no leader),
 * sends nothing more, acknowledges nothing it could not persist, and fails every pending and later
 * request with this exception; the other nodes elect a leader without it. A request failing with
 * this exception was not appended to the log by this node, so sending it to another node is safe. A
 * proposal that was appended before the failure fails with {@link IndeterminateResultException}
 * instead (with this as its cause): the other nodes may still commit it. The cause is the original
 * error.
 */
public final class StorageFailedException extends RaftException {

  public StorageFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The operating system's reason for the I/O error that caused this failure, with the file when
   * the error names it, for an operator's log line: {@code "No space left on device (file
   * /data/n1/log/log-1.open)"}, {@code "permission denied (file /data/n1/state.tmp)"}. Empty when
   * no I/O error is among the causes (a storage implementation's bug, for example): then the stack
   * trace is what tells. Any thread; never throws.
   */
  public Optional<String> ioReason() {
    return StorageFailures.ioReason(getCause());
  }
}
