package io.jangada.raft.internal;

import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.NodeId;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs the {@link StateMachine} on the apply lane: applies committed entries in log order,
 * completes the proposals they belong to, and serves reads once the state has caught up with their
 * read index. Everything except {@link #appliedIndex()} runs on the apply lane.
 */
final class Applier {

  /** A read waiting until the state machine has applied up to {@code readIndex}. */
  record Read(long readIndex, Bytes request, CompletableFuture<Bytes> future) {}

  private final NodeId id;
  private final StateMachine stateMachine;
  private final Executor lane;
  private final ProposalTracker proposals;
  private final Consumer<Throwable> onFatal;

  // Reads whose read index is not applied yet, lowest read index first. Apply lane only.
  private final PriorityQueue<Read> waiting =
      new PriorityQueue<>(Comparator.comparingLong(Read::readIndex));

  // Invariant: appliedIndex only grows; written on the apply lane only.
  private volatile long appliedIndex;
  private volatile boolean failed;

  Applier(
      NodeId id,
      StateMachine stateMachine,
      Executor lane,
      ProposalTracker proposals,
      long appliedIndex,
      Consumer<Throwable> onFatal) {
    this.id = id;
    this.stateMachine = stateMachine;
    this.lane = lane;
    this.proposals = proposals;
    this.appliedIndex = appliedIndex;
    this.onFatal = onFatal;
  }

  /** The last index applied to the state machine. Any thread. */
  long appliedIndex() {
    return appliedIndex;
  }

  /** Queues committed entries (in log order) and then reads. Loop thread. */
  void submit(List<LogEntry> committed, List<Read> reads) {
    if (committed.isEmpty() && reads.isEmpty()) {
      return;
    }
    lane.execute(
        () -> {
          if (failed) {
            return;
          }
          try {
            applyAll(committed);
            waiting.addAll(reads);
            serveReads();
          } catch (RuntimeException | Error e) {
            failed = true;
            onFatal.accept(e);
          }
        });
  }

  /** Serves a read from the current state without any consistency check. Any thread. */
  void queryNow(Bytes request, CompletableFuture<Bytes> future) {
    lane.execute(() -> query(request, future));
  }

  /** Fails every waiting read with the supplied error. Queued on the apply lane. */
  void failReads(java.util.function.Supplier<RuntimeException> failure) {
    lane.execute(
        () -> {
          for (Read read = waiting.poll(); read != null; read = waiting.poll()) {
            read.future().completeExceptionally(failure.get());
          }
        });
  }

  private void applyAll(List<LogEntry> committed) {
    for (LogEntry entry : committed) {
      long index = entry.index();
      if (index <= appliedIndex) {
        continue; // handed out again after a restart; already reflected in the state
      }
      if (index != appliedIndex + 1) {
        throw new IllegalStateException(
            "node " + id + " must apply index " + (appliedIndex + 1) + " next, got " + index);
      }
      Bytes result =
          entry.type() == EntryType.COMMAND ? stateMachine.apply(index, entry.data()) : Bytes.EMPTY;
      appliedIndex = index;
      proposals.applied(
          index,
          entry.term(),
          () -> new Committed(index, entry.term(), result),
          () ->
              new IndeterminateResultException(
                  "the proposal at index "
                      + index
                      + " was overwritten by another leader's entry; it did not take effect"));
    }
  }

  private void serveReads() {
    while (!waiting.isEmpty() && waiting.peek().readIndex() <= appliedIndex) {
      Read read = waiting.poll();
      query(read.request(), read.future());
    }
  }

  private void query(Bytes request, CompletableFuture<Bytes> future) {
    try {
      future.complete(stateMachine.query(request));
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
  }
}
