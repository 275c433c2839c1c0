package io.jangada.raft.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Configuration problems seen recently (for {@code Transport.problems()}): each kind of problem is
 * remembered with the last time it happened and forgotten once it has not happened for {@code
 * memoryNanos}. Thread-safe; recording is cheap enough for every rejected frame.
 */
final class RecentProblems {

  private record Seen(String text, long atNanos) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final long memoryNanos;
  private final LongSupplier clock;

  RecentProblems(long memoryNanos, LongSupplier clock) {
    this.memoryNanos = memoryNanos;
    this.clock = clock;
  }

  /** The problem {@code key} (its kind and source) happened now, described by {@code text}. */
  void record(String key, String text) {
    if (seen.size() < 64 || seen.containsKey(key)) { // a flood of distinct senders stays bounded
      seen.put(key, new Seen(text, clock.getAsLong()));
    }
  }

  /** Forgets the problem {@code key} (it is over, e.g. the connection it was about works now). */
  void forget(String key) {
    seen.remove(key);
  }

  /** The problems seen within the memory, sorted by text. */
  List<String> current() {
    long now = clock.getAsLong();
    List<String> texts = new ArrayList<>();
    seen.entrySet()
        .removeIf(
            e -> {
              if (now - e.getValue().atNanos() > memoryNanos) {
                return true;
              }
              texts.add(e.getValue().text());
              return false;
            });
    texts.sort(null);
    return texts;
  }
}
