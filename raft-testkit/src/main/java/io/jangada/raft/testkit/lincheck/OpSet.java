package io.jangada.raft.testkit.lincheck;

import java.util.Arrays;

/**
 * A set of operation indexes with a compact snapshot: operations are numbered in invocation order,
 * so a search's linearized set is almost always a run of all-ones words followed by a short tail. A
 * snapshot stores only the length of the run and the tail, which keeps memo entries small for long
 * histories. Not thread-safe; owned by one {@link Search}.
 */
final class OpSet {
  private final long[] words;
  // Invariant: words[0..full) are all ones, and words[top..] are all zero; full <= top.
  private int full;
  private int top;

  OpSet(int size) {
    words = new long[(size + 63) >>> 6];
  }

  void set(int index) {
    int word = index >>> 6;
    words[word] |= 1L << index;
    if (word >= top) {
      top = word + 1;
    }
    while (full < top && words[full] == -1L) {
      full++;
    }
  }

  void clear(int index) {
    int word = index >>> 6;
    words[word] &= ~(1L << index);
    if (word < full) {
      full = word;
    }
    while (top > full && words[top - 1] == 0L) {
      top--;
    }
  }

  /** The number of leading all-ones words. */
  int full() {
    return full;
  }

  /** True if no index is in the set. */
  boolean isEmpty() {
    return top == 0;
  }

  /** A copy of the words after the all-ones run, up to the last non-zero word. */
  long[] tail() {
    return Arrays.copyOfRange(words, full, top);
  }
}
