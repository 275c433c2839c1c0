package io.jangada.raft.internal;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Futures of session requests this node forwarded to the leader, keyed by the request ({@link
 * SessionEntry.Key}): the leader appends the entry, and this node completes the future when it
 * applies that entry itself, so the caller sees this node's state include the command. The loop
 * registers and expires them; the applier completes them. Thread-safe: each future is removed
 * exactly once, by whoever completes it.
 */
final class SessionWaiters {

  private record Waiter(CompletableFuture<Committed> future, long deadlineTick) {}

  private final ConcurrentHashMap<SessionEntry.Key, List<Waiter>> waiting =
      new ConcurrentHashMap<>();

  /** Waits for {@code key} to be applied until the loop's tick {@code deadlineTick}. Loop lane. */
  void register(SessionEntry.Key key, CompletableFuture<Committed> future, long deadlineTick) {
    waiting.compute(
        key,
        (k, list) -> {
          List<Waiter> next = list == null ? new ArrayList<>() : new ArrayList<>(list);
          next.add(new Waiter(future, deadlineTick));
          return next;
        });
  }

  /** {@code key} was applied: {@code complete} completes its waiters. Apply lane. */
  void applied(SessionEntry.Key key, Consumer<CompletableFuture<Committed>> complete) {
    List<Waiter> done = waiting.remove(key);
    if (done != null) {
      for (Waiter w : done) {
        complete.accept(w.future());
      }
    }
  }

  /** Fails the waiters whose deadline passed at {@code tick}. Loop lane. */
  void expire(long tick, Supplier<RaftException> failure) {
    List<Waiter> expired = new ArrayList<>();
    for (Map.Entry<SessionEntry.Key, List<Waiter>> e : waiting.entrySet()) {
      List<Waiter> keep = new ArrayList<>();
      for (Waiter w : e.getValue()) {
        (tick >= w.deadlineTick() ? expired : keep).add(w);
      }
      if (keep.size() != e.getValue().size()) {
        if (keep.isEmpty()) {
          waiting.remove(e.getKey(), e.getValue());
        } else {
          waiting.replace(e.getKey(), e.getValue(), keep);
        }
      }
    }
    for (Waiter w : expired) {
      w.future().completeExceptionally(failure.get());
    }
  }

  /** Fails every waiter. Any thread. */
  void failAll(Supplier<RaftException> failure) {
    for (Iterator<SessionEntry.Key> it = waiting.keySet().iterator(); it.hasNext(); ) {
      List<Waiter> list = waiting.remove(it.next());
      if (list != null) {
        for (Waiter w : list) {
          w.future().completeExceptionally(failure.get());
        }
      }
    }
  }

  /** How many requests are waited for. */
  int size() {
    return waiting.size();
  }
}
