package io.jangada.raft.internal;

import io.jangada.raft.RaftHealth;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.RaftStatus.State;
import io.jangada.raft.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Liveness and readiness of one node ({@code RaftNode.health}): the loop, the log writer and the
 * applier each run a cheap probe once per election timeout; a thread that has not finished one for
 * the stall threshold (four election timeouts, at least 10 s) makes the node not live. A node is
 * ready once it knows a leader and has applied the leader's commit index as a read index
 * (ReadIndex, thesis §6.4) confirmed it after start (asked when health is first asked for): not the
 * commit index the node itself knew then, which the leader's heartbeats cap at what the node had
 * matched before a restart.
 *
 * <p>Thread: {@link #probe} and {@link #leaderCommitKnown} on the loop lane; {@link #health} on
 * any.
 */
final class NodeHealth {

  /** A thread that has not finished a probe for this long (at least) makes the node not live. */
  private static final long STALL_FLOOR_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Scheduler scheduler;
  private final long stallNanos;
  // When the loop, the writer and the applier last ran a probe (scheduler nanos), and the leader's
  // commit index first confirmed after start (-1 until then).
  private volatile long loopBeat;
  private volatile long writerBeat;
  private volatile long applyBeat;
  private volatile long readyCommitIndex = -1;

  NodeHealth(Scheduler scheduler, long electionNanos) {
    this.scheduler = scheduler;
    this.stallNanos = Math.max(STALL_FLOOR_NANOS, 4 * electionNanos);
  }

  /** The node started: every thread counts as having just finished a probe. */
  void started() {
    long now = scheduler.nanoTime();
    loopBeat = now;
    writerBeat = now;
    applyBeat = now;
  }

  /** Runs the probes: the loop's now, the others queued behind their lanes' work. Loop lane. */
  void probe(LogWriter writer, Applier applier) {
    loopBeat = scheduler.nanoTime();
    writer.probe(() -> writerBeat = scheduler.nanoTime());
    applier.probe(() -> applyBeat = scheduler.nanoTime());
  }

  /** Whether readiness still waits for the leader's commit index. Any thread. */
  boolean needsLeaderCommit() {
    return readyCommitIndex < 0;
  }

  /** The leader's commit index, confirmed as a read index; the first one counts. Loop lane. */
  void leaderCommitKnown(long commitIndex) {
    if (readyCommitIndex < 0) {
      readyCommitIndex = commitIndex;
    }
  }

  /**
   * The health of a node in {@code state} (stopped by {@code failure}, if FAILED) whose status is
   * {@code current}. Any thread.
   */
  RaftHealth health(State state, Optional<String> failure, RaftStatus current) {
    List<String> problems = new ArrayList<>();
    if (state == State.STARTING) {
      problems.add("not started");
    } else if (state == State.CLOSED) {
      problems.add("closed");
    } else if (state == State.FAILED) {
      problems.add("stopped after a failure: " + failure.orElse("unknown"));
    } else {
      long time = scheduler.nanoTime();
      stalled(problems, "loop", time - loopBeat);
      stalled(problems, "log writer", time - writerBeat);
      stalled(problems, "apply", time - applyBeat);
    }
    boolean live = problems.isEmpty();
    if (current.leader().isEmpty()) {
      problems.add("no leader known");
    } else if (readyCommitIndex < 0) {
      problems.add("catching up: waiting for the leader's commit index");
    } else if (current.appliedIndex() < readyCommitIndex) {
      problems.add(
          "catching up: applied "
              + current.appliedIndex()
              + " of "
              + Math.max(readyCommitIndex, current.commitIndex()));
    }
    return new RaftHealth(live, problems.isEmpty(), problems);
  }

  private void stalled(List<String> problems, String thread, long idleNanos) {
    if (idleNanos > stallNanos) {
      problems.add(
          "the "
              + thread
              + " thread has not finished a task for "
              + TimeUnit.NANOSECONDS.toMillis(idleNanos)
              + " ms");
    }
  }
}
