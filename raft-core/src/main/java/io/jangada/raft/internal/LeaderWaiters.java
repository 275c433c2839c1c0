package io.jangada.raft.internal;

import io.jangada.raft.RaftException;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.Scheduler;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Callers of {@code RaftNode.awaitLeader}: each waits until the node knows a leader, or fails with
 * {@link RequestTimeoutException} when its timeout (measured by the node's {@link Scheduler}, so in
 * virtual time under a test scheduler) passes first. Loop lane only.
 */
final class LeaderWaiters {

  private final NodeId id;
  private final Scheduler scheduler;
  private final Executor loop;
  private final Map<CompletableFuture<NodeId>, Scheduler.Cancellable> waiting =
      new LinkedHashMap<>();

  LeaderWaiters(NodeId id, Scheduler scheduler, Executor loop) {
    this.id = id;
    this.scheduler = scheduler;
    this.loop = loop;
  }

  /**
   * Completes {@code future} with {@code leader} if this node knows one, else waits for one for at
   * most {@code timeout}.
   */
  void await(CompletableFuture<NodeId> future, Optional<NodeId> leader, Duration timeout) {
    if (leader.isPresent()) {
      future.complete(leader.get());
    } else {
      add(future, timeout);
    }
  }

  /** Waits for a leader for at most {@code timeout}. */
  void add(CompletableFuture<NodeId> future, Duration timeout) {
    Scheduler.Cancellable timer =
        scheduler.schedule(
            timeout,
            loop,
            () -> {
              if (waiting.remove(future) != null) {
                future.completeExceptionally(
                    new RequestTimeoutException(
                        "node " + id + " knew no leader within " + timeout));
              }
            });
    waiting.put(future, timer);
  }

  /** A leader is known: completes every waiter with it. */
  void leaderKnown(NodeId leader) {
    if (waiting.isEmpty()) {
      return;
    }
    List<CompletableFuture<NodeId>> done = new ArrayList<>(waiting.keySet());
    waiting.values().forEach(Scheduler.Cancellable::cancel);
    waiting.clear();
    done.forEach(f -> f.complete(leader));
  }

  /** The node stopped: fails every waiter. */
  void failAll(Supplier<? extends RaftException> failure) {
    List<CompletableFuture<NodeId>> done = new ArrayList<>(waiting.keySet());
    waiting.values().forEach(Scheduler.Cancellable::cancel);
    waiting.clear();
    done.forEach(f -> f.completeExceptionally(failure.get()));
  }
}
