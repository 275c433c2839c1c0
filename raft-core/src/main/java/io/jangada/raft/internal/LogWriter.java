package io.jangada.raft.internal;

import io.jangada.raft.core.Ready;
import io.jangada.raft.model.HardState;
import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.StateStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Persists what each {@link Ready} asks for on the log-writer lane, strictly in the order they were
 * handed in: the hard state and the entries. Several Readys may be queued (the loop builds the next
 * while one is being synced); the writer takes every Ready queued by the time it starts and writes
 * them with one {@code sync()} (group commit), then reports each, in order.
 *
 * <p>The commit index alone is saved every {@link #COMMIT_SAVE_INTERVAL} commits on a lane of its
 * own (the state lane), not on the writer lane: that save syncs the state file twice (a temporary
 * file and the directory), and on the writer lane every batch queued meanwhile waited for it (issue
 * 16: about one batch per node in 1,024 commits delayed by 1.5 ms at the median, 4 ms at p99). Term
 * and vote are still saved on the writer lane, before the entries that depend on them.
 *
 * <p>The driver also calls {@link #saveCommitIfBehind} about once per election timeout, so that the
 * state file of a node whose commit index moved by fewer than {@link #COMMIT_SAVE_INTERVAL} (an
 * idle cluster after a few writes) still learns it soon: a restarted node that finds its log ending
 * below the saved commit index knows it lost synced entries and does not vote until they are back
 * ({@code LostTail}).
 */
final class LogWriter {

  private final Executor lane;
  private final Executor stateLane;
  private final LogStorage log;
  private final StateStorage state;
  private final NodeEvents events;
  private final io.jangada.raft.Scheduler clock;

  // The last hard state made durable. Guarded by savedLock: the writer lane saves term and vote,
  // the state lane the commit index, each composing the file's contents from the other's last save.
  private final Object savedLock = new Object();
  private HardState saved;

  // The term and vote last saved: only the writer lane changes them, so it reads them without the
  // lock (which the state lane holds across a save). Writer lane only.
  private long savedTerm;
  private Optional<io.jangada.raft.model.NodeId> savedVote;

  // The highest commit index handed to the state lane (or found saved at start). Writer lane only.
  private long commitHandedOff;

  // The highest commit index whose entries are synced: that of the newest hard state written, or
  // of a commit-only Ready the driver did not hand in because everything was durable already.
  private final AtomicLong commitDurable = new AtomicLong();

  // The commit index the state lane is to save next, or -1 when no save is pending. The writer sets
  // it (queuing a save task only if none is pending); the state lane takes it.
  private final AtomicLong commitToSave = new AtomicLong(-1);

  // Set when the node closes: queued writes are skipped, so nothing reaches storage after close.
  private volatile boolean stopped;

  // Readys handed in and not taken by the writer yet, in order. Any thread adds; the lane takes.
  private final ConcurrentLinkedQueue<Write> queue = new ConcurrentLinkedQueue<>();

  private record Write(Ready ready, Runnable done, Consumer<Throwable> failed) {}

  LogWriter(
      Executor lane,
      Executor stateLane,
      LogStorage log,
      StateStorage state,
      HardState saved,
      NodeEvents events,
      io.jangada.raft.Scheduler clock) {
    this.lane = lane;
    this.stateLane = stateLane;
    this.events = events;
    this.clock = clock;
    this.log = log;
    this.state = state;
    this.saved = saved;
    this.savedTerm = saved.term();
    this.savedVote = saved.votedFor();
    this.commitHandedOff = saved.commit();
    this.commitDurable.set(saved.commit());
  }

  /**
   * Persists {@code ready} on the writer lane after every Ready handed in before it, then runs
   * {@code done} there (after the {@code done} of every earlier Ready); on failure runs {@code
   * failed} instead and nothing further is written. Any thread, but one at a time in Ready order.
   */
  void persist(Ready ready, Runnable done, Consumer<Throwable> failed) {
    queue.add(new Write(ready, done, failed));
    lane.execute(this::drain);
  }

  /** Writes every queued Ready with one sync, then reports them in order. Writer lane. */
  private void drain() {
    List<Write> batch = new ArrayList<>();
    for (Write w = queue.poll(); w != null; w = queue.poll()) {
      batch.add(w);
    }
    if (stopped || batch.isEmpty()) {
      return; // empty: an earlier drain took these writes
    }
    Optional<HardState> last;
    try {
      last = write(batch);
    } catch (Exception | Error e) {
      writeFailed(batch, e);
      return;
    }
    for (Write w : batch) {
      w.done().run();
    }
    // On the state lane: neither the acknowledgements and the leader's own count nor the next
    // batch wait for the state file's two syncs. The commit index only needs to be saved after the
    // entries it covers were synced, which they are by now.
    if (last.isPresent() && !stopped) {
      long commit = last.get().commit();
      commitDurable.accumulateAndGet(commit, Math::max);
      if (commit - commitHandedOff >= COMMIT_SAVE_INTERVAL) {
        handOff(commit, batch.get(batch.size() - 1).failed());
      }
    }
  }

  /**
   * Queues a save of {@code commit} on the state lane, or lets a queued one take it. Writer lane.
   */
  private void handOff(long commit, Consumer<Throwable> failed) {
    commitHandedOff = commit;
    if (commitToSave.getAndSet(commit) < 0) {
      stateLane.execute(() -> saveCommit(failed));
    } // else a queued save has not started yet: it takes the newer index
  }

  /**
   * Records that the commit index of {@code ready}, which the driver does not hand in (nothing to
   * write, and no earlier Ready in flight), is covered by synced entries. Any thread.
   */
  void skipped(Ready ready) {
    if (ready.hardState().isPresent()) {
      commitDurable.accumulateAndGet(ready.hardState().get().commit(), Math::max);
    }
  }

  /**
   * Hands the newest commit index covered by synced entries to the state lane if it was not handed
   * off yet, after the writes queued before (about once per election timeout: on an idle node the
   * commit index may never move by {@link #COMMIT_SAVE_INTERVAL}). Any thread; on failure the state
   * lane runs {@code failed} and nothing further is written.
   */
  void saveCommitIfBehind(Consumer<Throwable> failed) {
    lane.execute(
        () -> {
          long commit = commitDurable.get();
          if (!stopped && commit > commitHandedOff) {
            handOff(commit, failed);
          }
        });
  }

  // Out of line from drain: the JIT compiles a call instead of inlining the failure handling.
  private void writeFailed(List<Write> batch, Throwable e) {
    stopped = true;
    batch.get(0).failed().accept(e);
  }

  /** Saves the newest commit index handed off, keeping the saved term and vote. State lane. */
  private void saveCommit(Consumer<Throwable> failed) {
    long commit = commitToSave.getAndSet(-1);
    if (stopped || commit < 0) {
      return;
    }
    try {
      synchronized (savedLock) {
        if (commit > saved.commit()) {
          HardState next = new HardState(saved.term(), saved.votedFor(), commit);
          saveState(next);
          saved = next;
        }
      }
    } catch (Exception | Error e) {
      stopped = true;
      failed.accept(e);
    }
  }

  /**
   * Compacts the log up to {@code index} (covered by a durable snapshot) on the writer lane, in
   * order with the writes; a point outside the current log is skipped. On failure runs {@code
   * failed}.
   */
  void compact(long index, Consumer<Throwable> failed) {
    lane.execute(
        () -> {
          if (stopped) {
            return;
          }
          try {
            if (index >= log.firstIndex() && index <= log.lastIndex()) {
              log.compactUpTo(index);
            }
          } catch (Exception | Error e) {
            failed.accept(e);
          }
        });
  }

  /** Runs {@code probe} on the writer lane after the writes queued before it (health checks). */
  void probe(Runnable probe) {
    lane.execute(probe);
  }

  /** Skips every write queued from now on. Any thread. */
  void stop() {
    stopped = true;
  }

  /**
   * Writes the batch and syncs it; returns the newest hard state of the batch, if any (its commit
   * index is covered by the synced entries).
   */
  private Optional<HardState> write(List<Write> batch) throws java.io.IOException {
    boolean sync = false;
    long entries = 0;
    long bytes = 0;
    boolean timed = events.timed();
    long start = timed ? clock.nanoTime() : 0;
    Optional<HardState> last = Optional.empty();
    for (Write w : batch) {
      Ready ready = w.ready();
      sync |= writeUnsynced(ready);
      if (ready.hardState().isPresent()) {
        last = ready.hardState();
      }
      if (timed) {
        entries += ready.entries().size();
        for (io.jangada.raft.model.LogEntry entry : ready.entries()) {
          bytes += entry.sizeBytes();
        }
      }
    }
    if (sync) {
      log.sync();
      if (timed) {
        events.logSynced(clock.nanoTime() - start, Math.toIntExact(entries), bytes);
      }
    }
    // Term and vote were saved before the entries (writeUnsynced): only the commit index is left.
    return last;
  }

  /**
   * Saves a changed term and vote, resets the log to a received snapshot and appends the entries,
   * without syncing the log; returns whether the Ready needs a sync.
   */
  private boolean writeUnsynced(Ready ready) throws java.io.IOException {
    Optional<HardState> hard = ready.hardState();
    if (hard.isPresent() && termOrVoteChanged(hard.get())) {
      // Term and vote first: the log then never holds an entry (nor the snapshot storage a
      // snapshot) of a term the state file does not know, which lets storage recovery tell a lost
      // or stale state file from a crash. The commit index waits until the entries are synced.
      synchronized (savedLock) {
        HardState termAndVote =
            new HardState(hard.get().term(), hard.get().votedFor(), saved.commit());
        saveState(termAndVote);
        saved = termAndVote;
      }
      savedTerm = hard.get().term();
      savedVote = hard.get().votedFor();
    }
    if (ready.snapshot().isPresent()) {
      // The snapshot itself is already durable in SnapshotStorage; the log restarts after it.
      log.reset(ready.snapshot().get().index(), ready.snapshot().get().term());
    }
    if (!ready.entries().isEmpty()) {
      log.append(ready.entries());
    }
    return ready.mustSync() || !ready.entries().isEmpty();
  }

  /** Saves {@code next} to the state storage; an I/O failure comes as a {@link StateFileFailed}. */
  private void saveState(HardState next) throws StateFileFailed {
    try {
      state.save(next);
    } catch (java.io.IOException e) {
      throw new StateFileFailed(e);
    }
  }

  /**
   * Saving the term, vote or commit index failed with the I/O error that is the cause: the log is
   * fine, so the driver says "saving the state file" rather than "persisting the log".
   */
  static final class StateFileFailed extends java.io.IOException {
    StateFileFailed(java.io.IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private boolean termOrVoteChanged(HardState next) {
    return next.term() != savedTerm || !next.votedFor().equals(savedVote);
  }

  /**
   * Term and vote must be durable before anything that depends on them is sent (they are saved
   * before the entries). A commit-only change needs no fsync of its own: the commit index is
   * recovered from the leader after a restart, so it is saved, after the entries it covers are
   * synced, only when it moved by this many (or on {@link #saveCommitIfBehind}). Storage never
   * holds a commit index beyond its synced log, so a node that finds one on restart knows it lost
   * synced entries.
   */
  static final long COMMIT_SAVE_INTERVAL = 1024;
}
