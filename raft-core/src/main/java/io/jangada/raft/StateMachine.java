package io.jangada.raft;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;

/**
 * The user's replicated state machine. Jangada applies committed commands in log order on every
 * node; because {@link #apply} is deterministic, every node reaches the same state.
 *
 * <p>Thread: every method is called from the node's single apply thread, never concurrently, so
 * implementations need no locking for their own state. Blocking: may block, but a slow state
 * machine delays results and reads (never elections or heartbeats).
 */
public interface StateMachine {

  /**
   * Applies the committed command at {@code index} and returns its result, which completes the
   * proposer's future. Must be deterministic: the same commands in the same order give the same
   * state and results on every node (no clocks, randomness or I/O whose outcome can differ).
   *
   * <p>Errors: an exception thrown here is fatal for the node (its state would diverge); report
   * application-level failures inside the returned result instead.
   */
  Bytes apply(long index, Bytes command);

  /**
   * Answers a read-only {@code request} against the current state. Called only once the state
   * reflects every write the read must see (after ReadIndex, for a linearizable read). Must not
   * modify the state.
   *
   * <p>Errors: unlike {@link #apply}, an exception thrown here is not fatal: it fails this read's
   * future with that exception (e.g. an {@link IllegalArgumentException} for a malformed request)
   * and the node goes on.
   *
   * @throws UnsupportedOperationException if this state machine takes no queries (the default)
   */
  default Bytes query(Bytes request) {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not implement StateMachine.query");
  }

  /**
   * Captures the current state (after the last applied entry) for a snapshot. The capture must be
   * fast: it runs on the apply thread and blocks applies. The returned writer streams the captured
   * state later, possibly on another thread while applies continue, so it must not read mutable
   * state (copy-on-write structures or an immutable copy do this cheaply).
   */
  SnapshotWriter snapshot();

  /**
   * Replaces the whole state with the snapshot read from {@code data} (as written by a {@link
   * SnapshotWriter}). Called at start-up and when a leader sends a snapshot.
   *
   * @throws IOException if the data cannot be read; fatal for the node
   */
  void restore(SnapshotMeta meta, InputStream data) throws IOException;

  /** Streams a captured state; see {@link StateMachine#snapshot()}. */
  @FunctionalInterface
  interface SnapshotWriter {

    /**
     * Writes the captured state to {@code out}. Thread: any one thread. Blocking: may block on
     * {@code out}. Must not close {@code out}.
     */
    void writeTo(java.io.OutputStream out) throws IOException;
  }
}
