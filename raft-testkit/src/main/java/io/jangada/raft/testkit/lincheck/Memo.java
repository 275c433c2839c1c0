package io.jangada.raft.testkit.lincheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The memo of Lowe's algorithm, extended with dominance for info operations.
 *
 * <p>A search node is (linearized ok operations, linearized info operations, state). Node A
 * dominates node B when they have the same ok operations and state and A's info operations are a
 * subset of B's: any way to finish from B also finishes from A, because an info operation left out
 * can always be left out for good (its completion is at +infinity, so it never forces an order).
 * The memo therefore skips a node when a node that dominates it (equal nodes included) was seen
 * before (it looks for dominating nodes among the first few seen per (ok set, state), and for equal
 * ones among all). Without this, every subset of pending info operations that leave the same state
 * would be explored separately, which is exponential in their number.
 *
 * <p>Not thread-safe; owned by one {@link Search}.
 */
final class Memo {
  private static final Snapshot EMPTY = new Snapshot(0, new long[0]);
  // Subset checks are linear, so only the first few info sets of a (ok set, state) pair are used
  // for dominance; the rest only for equality (still sound: it only prunes less).
  private static final int MAX_DOMINATORS = 64;

  private final Map<Key, Entry> seen = new HashMap<>();
  private final int maxEntries;
  private int size;

  Memo(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** The number of nodes remembered. */
  int size() {
    return size;
  }

  /**
   * Remembers the node and returns true, or returns false if a node that dominates it was seen.
   * Once {@code maxEntries} nodes are remembered, new ones are not stored (the search stays
   * correct, only slower).
   */
  boolean add(OpSet ok, OpSet info, Object state) {
    Key key = new Key(ok.full(), ok.tail(), state);
    Snapshot infoSet = info.isEmpty() ? EMPTY : new Snapshot(info.full(), info.tail());
    Entry entry = seen.get(key);
    if (entry == null) {
      if (size < maxEntries) {
        entry = new Entry();
        entry.dominators.add(infoSet);
        seen.put(key, entry);
        size++;
      }
      return true;
    }
    for (Snapshot dominator : entry.dominators) {
      if (dominator.isSubsetOf(infoSet)) {
        return false;
      }
    }
    if (entry.others != null && entry.others.contains(infoSet)) {
      return false;
    }
    if (size < maxEntries) {
      entry.add(infoSet);
      size++;
    }
    return true;
  }

  /** The info sets seen with one (ok set, state) pair. */
  private static final class Entry {
    // The smallest sets seen (the likeliest dominators), at most MAX_DOMINATORS; then the rest.
    final List<Snapshot> dominators = new ArrayList<>(1);
    Set<Snapshot> others;

    void add(Snapshot set) {
      if (dominators.size() < MAX_DOMINATORS) {
        dominators.add(set);
        return;
      }
      int largest = 0;
      for (int i = 1; i < dominators.size(); i++) {
        if (dominators.get(i).cardinality > dominators.get(largest).cardinality) {
          largest = i;
        }
      }
      Snapshot evicted = set;
      if (set.cardinality < dominators.get(largest).cardinality) {
        evicted = dominators.set(largest, set);
      }
      if (others == null) {
        others = new HashSet<>();
      }
      others.add(evicted);
    }
  }

  /** An ok set (compact) and a state. */
  private static final class Key {
    private final int full;
    private final long[] tail;
    private final Object state;
    private final int hash;

    Key(int full, long[] tail, Object state) {
      this.full = full;
      this.tail = tail;
      this.state = state;
      int h = (full * 0x9E3779B9 + Arrays.hashCode(tail)) * 0x85EBCA6B + state.hashCode();
      h *= 0xC2B2AE35;
      this.hash = h ^ (h >>> 16);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key that
          && hash == that.hash
          && full == that.full
          && Arrays.equals(tail, that.tail)
          && state.equals(that.state);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A compact set: {@code full} all-ones words, then {@code tail}, then zeros. */
  static final class Snapshot {
    private final int full;
    private final long[] tail;

    private final int cardinality;

    Snapshot(int full, long[] tail) {
      this.full = full;
      this.tail = tail;
      int bits = 64 * full;
      for (long word : tail) {
        bits += Long.bitCount(word);
      }
      this.cardinality = bits;
    }

    private long word(int index) {
      if (index < full) {
        return -1L;
      }
      int t = index - full;
      return t < tail.length ? tail[t] : 0L;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Snapshot that && full == that.full && Arrays.equals(tail, that.tail);
    }

    @Override
    public int hashCode() {
      return 31 * full + Arrays.hashCode(tail);
    }

    boolean isSubsetOf(Snapshot other) {
      int end = full + tail.length;
      for (int w = Math.min(full, other.full); w < end; w++) {
        if ((word(w) & ~other.word(w)) != 0) {
          return false;
        }
      }
      return true;
    }
  }
}
