package io.jangada.raft.internal;

import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftException;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.StateMachine;
import io.jangada.raft.StateMachineException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link StateMachine} on the apply lane: applies committed entries in log order,
 * completes the proposals they belong to, and serves reads once the state has caught up with their
 * read index. Everything except {@link #appliedIndex()} runs on the apply lane.
 *
 * <p>Snapshots: once the {@link SnapshotPolicy} says enough entries or bytes were applied since the
 * last snapshot (or when asked by {@link #snapshot()}), it captures the state machine ({@link
 * StateMachine#snapshot()}, cheap, on the apply lane) and streams the capture to {@link
 * SnapshotStorage} on the snapshot lane while applies go on; the committed snapshot is then
 * reported to the loop, which compacts the log. A snapshot received from the leader is restored by
 * {@link #restore} in order with the applies.
 */
final class Applier {

  private static final Logger log = LoggerFactory.getLogger(Applier.class);

  /** A read waiting until the state machine has applied up to {@code readIndex}. */
  record Read(long readIndex, Bytes request, CompletableFuture<Bytes> future) {}

  private final NodeId id;
  private final StateMachine stateMachine;
  private final Executor lane;
  private final ProposalTracker proposals;
  private final Consumer<RaftException> onFatal;
  private final SnapshotStorage snapshots;
  private final SnapshotCommits commits;
  private final Executor snapshotLane;
  private final SnapshotPolicy policy;
  private final Consumer<SnapshotMeta> onSnapshot;
  private final SessionWaiters forwarded;
  // The replicated session table; apply lane only.
  private SessionTable sessions;
  private final NodeEvents events;
  private final io.jangada.raft.Scheduler clock;

  // Apply lane only: the term of the last applied entry, the configuration in force at it (the
  // newest applied MEMBERSHIP entry), the newest snapshot and the one being written.
  private long appliedTerm;
  private Membership membership;
  private long membershipIndex;
  // Volatile: status() reads it on any thread, so a snapshot shows there as soon as its future
  // completes, before the loop lane has run onSnapshot (the loop may be busy or descheduled).
  private volatile long snapshotIndex;
  // Bytes of entries applied since start, and that count when the newest snapshot was captured.
  private long appliedBytes;
  private long snapshotBytes;
  private Optional<SnapshotMeta> latestSnapshot;
  private CompletableFuture<SnapshotMeta> snapshotInProgress;

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
      Optional<SnapshotMeta> restored,
      SessionTable sessions,
      SessionWaiters forwarded,
      Membership membership,
      Consumer<RaftException> onFatal,
      SnapshotStorage snapshots,
      SnapshotCommits commits,
      Executor snapshotLane,
      SnapshotPolicy policy,
      Consumer<SnapshotMeta> onSnapshot,
      NodeEvents events,
      io.jangada.raft.Scheduler clock) {
    this.id = id;
    this.stateMachine = stateMachine;
    this.lane = lane;
    this.proposals = proposals;
    this.sessions = sessions;
    this.forwarded = forwarded;
    this.appliedIndex = restored.map(SnapshotMeta::index).orElse(0L);
    this.appliedTerm = restored.map(SnapshotMeta::term).orElse(0L);
    this.membership = restored.map(SnapshotMeta::membership).orElse(membership);
    this.membershipIndex = restored.map(SnapshotMeta::membershipIndex).orElse(0L);
    this.snapshotIndex = appliedIndex;
    this.latestSnapshot = restored;
    this.onFatal = onFatal;
    this.snapshots = snapshots;
    this.commits = commits;
    this.snapshotLane = snapshotLane;
    this.policy = policy;
    this.onSnapshot = onSnapshot;
    this.events = events;
    this.clock = clock;
  }

  /** Runs {@code probe} on the apply lane after the work queued before it (health checks). */
  void probe(Runnable probe) {
    lane.execute(probe);
  }

  /** The last index applied to the state machine. Any thread. */
  long appliedIndex() {
    return appliedIndex;
  }

  /** The index of the newest snapshot taken or restored here (0 if none). Any thread. */
  long snapshotIndex() {
    return snapshotIndex;
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
            if (events.timed() && !committed.isEmpty()) {
              long start = clock.nanoTime();
              applyAll(committed);
              events.applied(clock.nanoTime() - start, committed.size());
            } else {
              applyAll(committed);
            }
            waiting.addAll(reads);
            serveReads();
            if (snapshotInProgress == null
                && policy.due(appliedIndex - snapshotIndex, appliedBytes - snapshotBytes)) {
              takeSnapshot();
            }
          } catch (StateMachineException e) {
            fatal(e);
          } catch (RuntimeException | Error e) {
            fatal(new StateMachineException("node " + id + " failed applying: " + e, e));
          }
        });
  }

  /**
   * Restores the newest snapshot into the state machine at start-up, on the apply lane (as {@link
   * StateMachine} promises), before anything else runs there. Completes when restored; fails with a
   * {@link StorageFailedException} if the snapshot cannot be opened or a {@link
   * StateMachineException} if the state machine's {@code restore} throws. Loop thread.
   */
  CompletableFuture<Void> restoreAtStart(SnapshotMeta meta) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lane.execute(
        () -> {
          try {
            restoreFromStorage(meta);
            done.complete(null);
          } catch (RaftException e) {
            failed = true;
            done.completeExceptionally(e);
          }
        });
    return done;
  }

  /** Stops applying: entries and snapshots queued from now on are skipped. Any thread. */
  void stop() {
    failed = true;
  }

  private void fatal(RaftException error) {
    failed = true;
    onFatal.accept(error);
  }

  /** Opens {@code meta} in the snapshot storage and restores it into the state machine. */
  private void restoreFromStorage(SnapshotMeta meta) {
    InputStream in;
    try {
      in = snapshots.open(meta);
    } catch (IOException | RuntimeException e) {
      throw new StorageFailedException(
          "node " + id + " cannot open the snapshot at " + meta.index() + ": " + e, e);
    }
    SnapshotFormat.Opened opened;
    try {
      opened = SnapshotFormat.open(in);
    } catch (IOException | RuntimeException e) {
      closeQuietly(in);
      throw new StorageFailedException(
          "node " + id + " cannot read the snapshot at " + meta.index() + ": " + e, e);
    }
    try (in) {
      stateMachine.restore(meta, opened.stateMachineData());
      sessions = opened.sessions();
    } catch (IOException | RuntimeException e) {
      throw new StateMachineException(
          "the state machine of node "
              + id
              + " failed to restore the snapshot at "
              + meta.index()
              + ": "
              + e,
          e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // already failing
    }
  }

  /**
   * Takes a snapshot of the state after the last applied entry, or returns the one being written,
   * or the newest one if nothing was applied since. Any thread.
   */
  CompletableFuture<SnapshotMeta> snapshot() {
    CompletableFuture<SnapshotMeta> result = new CompletableFuture<>();
    lane.execute(
        () -> {
          if (failed) {
            result.completeExceptionally(
                new IllegalStateException("node " + id + " stopped after a failure"));
          } else if (snapshotInProgress != null) {
            snapshotInProgress.whenComplete(
                (meta, error) -> {
                  if (error != null) {
                    result.completeExceptionally(error);
                  } else {
                    result.complete(meta);
                  }
                });
          } else if (appliedIndex == 0) {
            result.completeExceptionally(
                new IllegalStateException("node " + id + " has applied nothing to snapshot yet"));
          } else if (appliedIndex == snapshotIndex && latestSnapshot.isPresent()) {
            result.complete(latestSnapshot.get());
          } else {
            takeSnapshot().whenComplete((meta, error) -> complete(result, meta, error));
          }
        });
    return result;
  }

  private static <T> void complete(CompletableFuture<T> future, T value, Throwable error) {
    if (error != null) {
      future.completeExceptionally(error);
    } else {
      future.complete(value);
    }
  }

  /**
   * Replaces the state machine's state with the installed snapshot {@code meta}, in order with the
   * applies queued before and after. Proposals at or below its index fail as indeterminate. Loop
   * thread.
   */
  void restore(SnapshotMeta meta) {
    lane.execute(
        () -> {
          if (failed) {
            return;
          }
          try {
            if (meta.index() <= appliedIndex) {
              return;
            }
            long start = clock.nanoTime();
            restoreFromStorage(meta);
            long restoreNanos = clock.nanoTime() - start;
            appliedIndex = meta.index();
            appliedTerm = meta.term();
            membership = meta.membership();
            membershipIndex = meta.membershipIndex();
            snapshotIndex = meta.index();
            snapshotBytes = appliedBytes;
            latestSnapshot = Optional.of(meta);
            proposals.failUpTo(
                meta.index(),
                () ->
                    new IndeterminateResultException(
                        "node "
                            + id
                            + " installed a snapshot from the leader covering the proposal's"
                            + " index; its outcome is unknown here"));
            log.info("node {} restored the snapshot at {}/{}", id, meta.index(), meta.term());
            events.snapshotInstalled(meta, restoreNanos);
            onSnapshot.accept(meta);
            serveReads();
          } catch (RaftException e) {
            fatal(e);
          } catch (RuntimeException | Error e) {
            fatal(new StateMachineException("installing a snapshot failed: " + e, e));
          }
        });
  }

  /** Captures the state now (apply lane) and streams it to storage on the snapshot lane. */
  private CompletableFuture<SnapshotMeta> takeSnapshot() {
    SnapshotMeta meta = new SnapshotMeta(appliedIndex, appliedTerm, membership, membershipIndex);
    long bytesAtCapture = appliedBytes;
    long start = clock.nanoTime();
    CompletableFuture<SnapshotMeta> done = new CompletableFuture<>();
    snapshotInProgress = done;
    StateMachine.SnapshotWriter writer;
    try {
      writer = SnapshotFormat.wrap(sessions.encode(), stateMachine.snapshot());
    } catch (RuntimeException e) {
      snapshotInProgress = null;
      log.warn(
          "node {}: the state machine failed to capture a snapshot at {}", id, appliedIndex, e);
      done.completeExceptionally(e);
      return done;
    }
    snapshotLane.execute(
        () -> {
          Throwable error = null;
          boolean committed = false;
          try (SnapshotStorage.Sink sink = snapshots.create(meta)) {
            writer.writeTo(sink.stream());
            committed = commits.commitIfNewer(sink, meta);
          } catch (IOException | RuntimeException e) {
            error = e;
          }
          Throwable failure = error;
          boolean stored = committed;
          long nanos = clock.nanoTime() - start;
          lane.execute(() -> snapshotWritten(meta, bytesAtCapture, stored, done, failure, nanos));
        });
    return done;
  }

  private void snapshotWritten(
      SnapshotMeta meta,
      long bytesAtCapture,
      boolean stored,
      CompletableFuture<SnapshotMeta> done,
      Throwable error,
      long nanos) {
    snapshotInProgress = null;
    if (error != null) {
      // Not fatal: the log is simply not compacted; the next threshold crossing tries again.
      Optional<String> io = StorageFailures.ioReason(error);
      if (io.isPresent()) {
        log.warn(
            "node {} could not write the snapshot at {}: {}; it tries again later, until then its"
                + " log is not compacted (stack trace at DEBUG)",
            id,
            meta.index(),
            io.get());
        log.debug("node {} could not write the snapshot at {}", id, meta.index(), error);
      } else {
        log.warn("node {} could not write the snapshot at {}", id, meta.index(), error);
      }
      done.completeExceptionally(error);
      return;
    }
    if (!stored) {
      // A newer snapshot (received from the leader) was stored meanwhile; it supersedes this one.
      log.debug("node {} drops its snapshot at {}: a newer one is stored", id, meta.index());
      done.complete(latestSnapshot.orElse(meta));
      return;
    }
    if (meta.index() > snapshotIndex) {
      snapshotIndex = meta.index();
      snapshotBytes = bytesAtCapture;
      latestSnapshot = Optional.of(meta);
    }
    log.debug("node {} took a snapshot at {}/{}", id, meta.index(), meta.term());
    events.snapshotTaken(meta, nanos);
    onSnapshot.accept(meta);
    done.complete(meta);
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
      Outcome outcome;
      try {
        outcome = execute(entry);
      } catch (RuntimeException | Error e) {
        StateMachineException failure =
            new StateMachineException(
                "the state machine of node "
                    + id
                    + " threw applying the committed entry at index "
                    + index
                    + ": "
                    + e,
                e);
        proposals.fail(index, entry.term(), failure);
        throw failure;
      }
      appliedIndex = index;
      appliedTerm = entry.term();
      appliedBytes += entry.sizeBytes();
      if (entry.type() == EntryType.MEMBERSHIP) {
        try {
          membership = Membership.decode(entry.data());
          membershipIndex = index;
        } catch (IllegalArgumentException bad) {
          log.debug("node {} ignores an undecodable membership entry at {}", id, index);
        }
      }
      CompletableFuture<Committed> proposal =
          proposals.applied(index, entry.term(), Applier::overwritten);
      if (proposal != null) {
        outcome.complete(proposal, index, entry.term());
      }
      if (outcome.key != null) {
        forwarded.applied(outcome.key, future -> outcome.complete(future, index, entry.term()));
      }
    }
  }

  private static ProposalDroppedException overwritten(long index) {
    return new ProposalDroppedException(
        ProposalDroppedException.Reason.OVERWRITTEN,
        "the proposal at index "
            + index
            + " was overwritten by another leader's entry; it did not take effect");
  }

  /** What applying one entry gave: a result, or a session failure; and the session request. */
  private record Outcome(Bytes result, RaftException failure, SessionEntry.Key key) {
    void complete(CompletableFuture<Committed> future, long index, long term) {
      if (failure != null) {
        future.completeExceptionally(failure);
      } else {
        future.complete(new Committed(index, term, result));
      }
    }
  }

  private Outcome execute(LogEntry entry) {
    long index = entry.index();
    if (entry.type() == EntryType.COMMAND) {
      return new Outcome(stateMachine.apply(index, entry.data()), null, null);
    }
    if (entry.type() != EntryType.SESSION) {
      return new Outcome(Bytes.EMPTY, null, null);
    }
    SessionEntry request;
    try {
      request = SessionEntry.decode(entry.data());
    } catch (IllegalArgumentException bad) {
      // Every node skips it alike: the entry came from a newer or broken library version.
      log.warn("node {} skips an undecodable session entry at {}: {}", id, index, bad.getMessage());
      return new Outcome(Bytes.EMPTY, null, null);
    }
    SessionTable.Outcome done =
        sessions.apply(index, request, command -> stateMachine.apply(index, command));
    return toOutcome(done, request.key());
  }

  /** The future's value for a session outcome. */
  static Outcome toOutcome(SessionTable.Outcome done, SessionEntry.Key key) {
    if (done instanceof SessionTable.Outcome.Applied a) {
      return new Outcome(a.result(), null, key);
    } else if (done instanceof SessionTable.Outcome.Duplicate d) {
      return new Outcome(d.result(), null, key);
    } else if (done instanceof SessionTable.Outcome.Opened o) {
      return new Outcome(
          Bytes.wrapUnsafe(java.nio.ByteBuffer.allocate(8).putLong(o.clientId()).array()),
          null,
          key);
    } else if (done instanceof SessionTable.Outcome.Closed) {
      return new Outcome(Bytes.EMPTY, null, key);
    } else if (done instanceof SessionTable.Outcome.Rejected r) {
      return new Outcome(
          null, new SessionExpiredException(r.clientId(), r.sequence(), r.reason()), key);
    }
    throw new AssertionError(done);
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
