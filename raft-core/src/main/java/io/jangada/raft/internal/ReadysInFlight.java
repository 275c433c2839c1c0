package io.jangada.raft.internal;

import io.jangada.raft.core.Ready;
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

  boolean full() {
    return readys.size() >= MAX;
  }

  boolean isEmpty() {
    return readys.isEmpty();
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
