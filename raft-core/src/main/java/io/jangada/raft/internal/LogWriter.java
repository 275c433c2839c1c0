package io.jangada.raft.internal;

import io.jangada.raft.core.Ready;
import io.jangada.raft.model.HardState;
import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.StateStorage;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Persists what a {@link Ready} asks for on the log-writer lane: the hard state and the entries,
 * with one {@code sync()} per Ready (group commit: everything proposed while the previous write was
 * in flight lands in the same batch).
 */
final class LogWriter {

  private final Executor lane;
  private final LogStorage log;
  private final StateStorage state;
  private final NodeEvents events;
  private final io.jangada.raft.Scheduler clock;

  // The last hard state made durable. Writer lane only.
  private HardState saved;

  // Set when the node closes: queued writes are skipped, so nothing reaches storage after close.
  private volatile boolean stopped;

  LogWriter(
      Executor lane,
      LogStorage log,
      StateStorage state,
      HardState saved,
      NodeEvents events,
      io.jangada.raft.Scheduler clock) {
    this.lane = lane;
    this.events = events;
    this.clock = clock;
    this.log = log;
    this.state = state;
    this.saved = saved;
  }

  /**
   * Persists {@code ready} on the writer lane, then runs {@code done}; on failure runs {@code
   * failed} instead and nothing further is written.
   */
  void persist(Ready ready, Runnable done, Consumer<Throwable> failed) {
    lane.execute(
        () -> {
          if (stopped) {
            return;
          }
          try {
            write(ready);
          } catch (Exception | Error e) {
            failed.accept(e);
            return;
          }
          done.run();
        });
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

  private void write(Ready ready) throws java.io.IOException {
    if (ready.snapshot().isPresent()) {
      // The snapshot itself is already durable in SnapshotStorage; the log restarts after it.
      log.reset(ready.snapshot().get().index(), ready.snapshot().get().term());
    }
    boolean timed = events.timed();
    long start = timed ? clock.nanoTime() : 0;
    if (!ready.entries().isEmpty()) {
      log.append(ready.entries());
    }
    if (ready.mustSync() || !ready.entries().isEmpty()) {
      log.sync();
      if (timed) {
        long bytes = 0;
        for (io.jangada.raft.model.LogEntry entry : ready.entries()) {
          bytes += entry.sizeBytes();
        }
        events.logSynced(clock.nanoTime() - start, ready.entries().size(), bytes);
      }
    }
    Optional<HardState> hard = ready.hardState();
    if (hard.isPresent() && mustSave(hard.get())) {
      state.save(hard.get());
      saved = hard.get();
    }
  }

  /**
   * Term and vote must be durable before anything that depends on them is sent. A commit-only
   * change needs no fsync of its own: the commit index is recovered from the leader after a
   * restart, so it is saved only with the next term or vote change, or when it moved far.
   */
  private boolean mustSave(HardState next) {
    return next.term() != saved.term()
        || !next.votedFor().equals(saved.votedFor())
        || next.commit() - saved.commit() >= COMMIT_SAVE_INTERVAL;
  }

  private static final long COMMIT_SAVE_INTERVAL = 1024;
}
