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
   * The entry at {@code index} with {@code term} was applied: removes and returns the matching
   * proposal's future for the caller to complete, or null if none is registered there. A proposal
   * whose index now holds an entry of another term was overwritten and can never commit: it fails
   * with {@code lost} of the index (and null is returned). Apply thread; allocates nothing on the
   * common path.
   */
  CompletableFuture<Committed> applied(
      long index, long term, java.util.function.LongFunction<RaftException> lost) {
    Pending match = pending.remove(index);
    if (match == null) {
      return null;
    }
    if (match.term() == term) {
      return match.future();
    }
    match.future().completeExceptionally(lost.apply(index));
    return null;
  }

  /**
   * Fails the proposal appended at {@code index} in {@code term}, if one is registered there (its
   * entry committed but could not be applied). Apply thread.
   */
  void fail(long index, long term, RaftException failure) {
    Pending match = pending.get(index);
    if (match != null && match.term() == term && pending.remove(index, match)) {
      match.future().completeExceptionally(failure);
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

  /**
   * Fails every registered proposal: those above {@code handedOutUpTo} (never handed to the log
   * writer nor sent to another node, so they cannot take effect) with {@code notAppended}, the
   * others with {@code appended}. Any thread.
   */
  void failAll(
      long handedOutUpTo, Supplier<RaftException> notAppended, Supplier<RaftException> appended) {
    List<Map.Entry<Long, Pending>> drained = new ArrayList<>();
    for (Map.Entry<Long, Pending> entry = pending.pollFirstEntry();
        entry != null;
        entry = pending.pollFirstEntry()) {
      drained.add(entry);
    }
    for (Map.Entry<Long, Pending> entry : drained) {
      entry
          .getValue()
          .future()
          .completeExceptionally(
              entry.getKey() > handedOutUpTo ? notAppended.get() : appended.get());
    }
  }

  /** How many proposals await their outcome. */
  int size() {
    return pending.size();
  }
}
