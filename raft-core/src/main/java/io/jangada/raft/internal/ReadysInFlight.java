package io.jangada.raft.internal;

import io.jangada.raft.core.Ready;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The Readys the loop handed to the log writer and has not advanced yet, oldest first (etcd's
 * asynchronous storage writes: the loop builds the next one while earlier ones are being synced),
 * and the highest entry index ever handed out.
 *
 * <p>Thread: the loop's only.
 */
final class ReadysInFlight {

  /**
   * How many Readys may be handed to the log writer and not yet durable. Bounds memory: each holds
   * at most the entries the core has not handed out before (on a leader within {@code
   * maxUncommittedBytes}, on a follower what the leader's pipeline sends) and {@code
   * maxCommittedBytesPerReady} of committed entries.
   */
  static final int MAX = 4;

  private final ArrayDeque<Ready> readys = new ArrayDeque<>();
  // The highest entry index ever handed to the log writer (and so possibly sent to a follower): a
  // proposal above it exists only in this node's memory and cannot take effect once it stops.
  private long handedOutUpTo;
  // The newest hard state handed to the log writer (the one recovered at start before any).
  private HardState written = new HardState(0, java.util.Optional.empty(), 0);

  boolean full() {
    return readys.size() >= MAX;
  }

  boolean isEmpty() {
    return readys.isEmpty();
  }

  /** The hard state recovered at start: what storage holds before any Ready. */
  void start(HardState recovered) {
    written = recovered;
  }

  /**
   * Whether the log writer has anything to do for {@code ready}, the next one (issue 16): not if it
   * only moves the commit index, by less than {@link LogWriter#COMMIT_SAVE_INTERVAL} since the hard
   * state last handed to the writer. The writer would save nothing (the commit index is saved only
   * when it moved far, or later by {@link LogWriter#saveCommitIfBehind}, which {@link
   * LogWriter#skipped} tells about it) and sync nothing, and a leader has such a Ready for every
   * commit: skipping the writer saves it a wake-up per commit. Such a Ready still goes through the
   * writer when an earlier one is in flight (its messages wait for that write).
   */
  boolean needsWrite(Ready ready) {
    if (!ready.entries().isEmpty() || ready.snapshot().isPresent() || ready.mustSync()) {
      return true;
    }
    if (ready.hardState().isEmpty()) {
      return false;
    }
    HardState next = ready.hardState().get();
    return next.term() != written.term()
        || !next.votedFor().equals(written.votedFor())
        || next.commit() - written.commit() >= LogWriter.COMMIT_SAVE_INTERVAL;
  }

  /** Records that {@code ready} goes to the log writer (after {@link #add}). */
  void written(Ready ready) {
    ready.hardState().ifPresent(hard -> written = hard);
  }

  void add(Ready ready) {
    readys.addLast(ready);
    List<LogEntry> entries = ready.entries();
    if (!entries.isEmpty()) {
      handedOutUpTo = Math.max(handedOutUpTo, entries.get(entries.size() - 1).index());
    }
  }

  /** Whether {@code ready} is the oldest in flight: the next one to be advanced. */
  boolean isOldest(Ready ready) {
    return readys.peekFirst() == ready;
  }

  void removeOldest() {
    readys.removeFirst();
  }

  long handedOutUpTo() {
    return handedOutUpTo;
  }

  /**
   * How many of {@code committed} precede the first entry {@code written} (all of them if none):
   * those were written by earlier Readys.
   */
  static int writtenBefore(List<LogEntry> committed, List<LogEntry> written) {
    if (written.isEmpty()) {
      return committed.size();
    }
    long firstWritten = written.get(0).index();
    int n = 0;
    while (n < committed.size() && committed.get(n).index() < firstWritten) {
      n++;
    }
    return n;
  }
}
