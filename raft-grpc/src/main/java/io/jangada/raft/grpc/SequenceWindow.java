package io.jangada.raft.grpc;

/**
 * The sequence numbers of a client's commands: hands out the next one and tells the lowest one not
 * yet finished (the session's "lowest unacknowledged", below which the cluster may drop results).
 * Sequences finish in any order; a ring of flags over the window from the lowest unfinished to the
 * next sequence replaces a sorted set (no boxing, no node per command). The ring grows when more
 * commands are in flight than it holds.
 *
 * <p>Thread-safe (short critical sections under this object's lock); never blocks otherwise.
 */
final class SequenceWindow {

  private boolean[] finished = new boolean[64]; // by sequence & (length - 1), for [lowest, next)
  private long lowest = 1; // the lowest unfinished sequence, or next if none is in flight
  private long next = 1;

  /** A new sequence number, unfinished until {@link #finish}; the first is 1. */
  synchronized long next() {
    if (next - lowest == finished.length) {
      grow();
    }
    return next++;
  }

  /** Marks {@code sequence} finished (acknowledged or abandoned). Idempotent. */
  synchronized void finish(long sequence) {
    if (sequence < lowest || sequence >= next) {
      return;
    }
    int mask = finished.length - 1;
    finished[(int) sequence & mask] = true;
    while (lowest < next && finished[(int) lowest & mask]) {
      finished[(int) lowest & mask] = false;
      lowest++;
    }
  }

  /** The lowest sequence handed out and not finished, or the next one if none is in flight. */
  synchronized long lowestUnfinished() {
    return lowest;
  }

  private void grow() {
    boolean[] bigger = new boolean[finished.length * 2];
    int oldMask = finished.length - 1;
    int newMask = bigger.length - 1;
    for (long s = lowest; s < next; s++) {
      bigger[(int) s & newMask] = finished[(int) s & oldMask];
    }
    finished = bigger;
  }
}
