package io.jangada.raft.internal;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * Futures of proposals this node appended as leader, keyed by log index. The loop registers them;
 * the applier completes them when the entry at that index is applied, and the loop fails them when
 * leadership is lost or the node stops. Thread-safe: each future is removed exactly once, by
 * whoever completes it.
 */
final class ProposalTracker {

  private record Pending(long term, CompletableFuture<Committed> future) {}

  private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

  /** Remembers a proposal appended at {@code index} in {@code term}. Loop thread. */
  void register(long index, long term, CompletableFuture<Committed> future) {
    pending.put(index, new Pending(term, future));
  }

  /**
   * The entry at {@code index} with {@code term} was applied: {@code complete} completes the
   * matching proposal. A proposal whose index now holds an entry of another term was overwritten
   * and can never commit: it fails with {@code lost}. Apply thread.
   */
  void applied(
      long index,
      long term,
      java.util.function.Consumer<CompletableFuture<Committed>> complete,
      Supplier<RaftException> lost) {
    // Entries below index were applied already; anything still registered there was lost.
    Pending match = pending.remove(index);
    if (match == null) {
      return;
    }
    if (match.term() == term) {
      complete.accept(match.future());
    } else {
      match.future().completeExceptionally(lost.get());
    }
  }

  /**
   * Fails every proposal at or below {@code index} (covered by an installed snapshot: whether it
   * took effect is unknown here). Apply thread.
   */
  void failUpTo(long index, Supplier<RaftException> failure) {
    for (Map.Entry<Long, Pending> entry : pending.headMap(index, true).entrySet()) {
      if (pending.remove(entry.getKey(), entry.getValue())) {
        entry.getValue().future().completeExceptionally(failure.get());
      }
    }
  }

  /** Fails every registered proposal with {@code failure}. Any thread. */
  void failAll(Supplier<RaftException> failure) {
    List<Pending> drained = new ArrayList<>();
    for (Map.Entry<Long, Pending> entry = pending.pollFirstEntry();
        entry != null;
        entry = pending.pollFirstEntry()) {
      drained.add(entry.getValue());
    }
    for (Pending p : drained) {
      p.future().completeExceptionally(failure.get());
    }
  }

  /** How many proposals await their outcome. */
  int size() {
    return pending.size();
  }
}
