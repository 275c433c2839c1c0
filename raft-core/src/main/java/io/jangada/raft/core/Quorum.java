package io.jangada.raft.core;

import java.util.Arrays;

/** Majority computations over the voters. */
final class Quorum {

  private Quorum() {}

  /** The number of voters that forms a majority of {@code voters}. */
  static int size(int voters) {
    return voters / 2 + 1;
  }

  /** The highest index that a majority of the voters' {@code matches} reach. */
  static long committedIndex(long[] matches) {
    Check.state(matches.length > 0, "no voters");
    long[] sorted = matches.clone();
    Arrays.sort(sorted);
    // Ascending: the majority-th highest is at length - quorum.
    return sorted[sorted.length - size(sorted.length)];
  }
}
