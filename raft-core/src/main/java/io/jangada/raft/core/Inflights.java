package io.jangada.raft.core;

import java.util.ArrayDeque;

/** The last indexes of the AppendRequests in flight to one follower, bounded for pipelining. */
final class Inflights {

  private final int capacity;
  private final ArrayDeque<Long> lastIndexes = new ArrayDeque<>();

  Inflights(int capacity) {
    this.capacity = capacity;
  }

  boolean full() {
    return lastIndexes.size() >= capacity;
  }

  int count() {
    return lastIndexes.size();
  }

  void add(long lastIndex) {
    Check.state(!full(), "inflights full");
    lastIndexes.addLast(lastIndex);
  }

  /** Frees every in-flight request whose last index is at most {@code index}. */
  void freeLE(long index) {
    while (!lastIndexes.isEmpty() && lastIndexes.peekFirst() <= index) {
      lastIndexes.removeFirst();
    }
  }

  void freeFirstOne() {
    lastIndexes.pollFirst();
  }

  void reset() {
    lastIndexes.clear();
  }
}
