package io.jangada.raft.internal;

import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftException;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.core.ReadState;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Linearizable and lease reads waiting for the core to confirm a read index (ReadIndex, thesis
 * §6.4). The loop registers a read under a fresh request id and asks the core; when the core's
 * {@code Ready} carries the read state, the read moves on to the applier, which serves it once
 * applied reaches the read index. A read the core cannot confirm in time fails with {@link
 * RequestTimeoutException}.
 *
 * <p>Thread: loop lane only.
 */
final class PendingReads {

  /**
   * A query to serve at the read index ({@code future}), or only a question for the read index
   * itself ({@code indexOnly}, the readiness probe): exactly one of the two is set.
   */
  private record PendingRead(
      Bytes request,
      CompletableFuture<Bytes> future,
      CompletableFuture<Long> indexOnly,
      long deadlineTick) {

    void fail(Throwable error) {
      if (future != null) {
        future.completeExceptionally(error);
      } else {
        indexOnly.completeExceptionally(error);
      }
    }
  }

  private final NodeId id;
  private final Map<Long, PendingRead> reads = new HashMap<>();
  private long nextReadId;

  PendingReads(NodeId id) {
    this.id = id;
  }

  /** Remembers a read that expires at {@code deadlineTick}; returns its request id for the core. */
  long add(Bytes request, CompletableFuture<Bytes> future, long deadlineTick) {
    long readId = ++nextReadId;
    reads.put(readId, new PendingRead(request, future, null, deadlineTick));
    return readId;
  }

  /**
   * Remembers a question for the read index alone (no query, nothing for the applier): {@code
   * index} completes with the read index once the core confirms one, or fails like a read. Returns
   * its request id for the core.
   */
  long addIndexOnly(CompletableFuture<Long> index, long deadlineTick) {
    long readId = ++nextReadId;
    reads.put(readId, new PendingRead(null, null, index, deadlineTick));
    return readId;
  }

  /**
   * The reads the core confirmed in {@code states}, for the applier; those it refused fail with
   * {@link NotLeaderException} naming {@code leader}. Reads that timed out already are skipped.
   */
  List<Applier.Read> confirmed(List<ReadState> states, Optional<NodeId> leader) {
    if (states.isEmpty()) {
      return List.of();
    }
    List<Applier.Read> ready = new ArrayList<>(states.size());
    for (ReadState readState : states) {
      PendingRead pending = reads.remove(readState.requestId());
      if (pending == null) {
        continue; // timed out already
      }
      if (!readState.success()) {
        pending.fail(new NotLeaderException(id, leader));
      } else if (pending.indexOnly() != null) {
        pending.indexOnly().complete(readState.readIndex());
      } else {
        ready.add(new Applier.Read(readState.readIndex(), pending.request(), pending.future()));
      }
    }
    return ready;
  }

  /** Fails the reads whose deadline passed at {@code tick}. */
  void expire(long tick) {
    if (reads.isEmpty()) {
      return;
    }
    Iterator<Map.Entry<Long, PendingRead>> it = reads.entrySet().iterator();
    while (it.hasNext()) {
      PendingRead read = it.next().getValue();
      if (tick >= read.deadlineTick()) {
        it.remove();
        read.fail(
            new RequestTimeoutException(
                "node " + id + " could not confirm a read index in time; no leader reachable?"));
      }
    }
  }

  /** Fails every waiting read with (a fresh) {@code failure}. */
  void failAll(Supplier<RaftException> failure) {
    for (PendingRead read : reads.values()) {
      read.fail(failure.get());
    }
    reads.clear();
  }
}
