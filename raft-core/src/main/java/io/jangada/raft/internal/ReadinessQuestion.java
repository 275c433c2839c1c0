package io.jangada.raft.internal;

import io.jangada.raft.core.RaftCore;
import java.util.concurrent.CompletableFuture;

/**
 * The question readiness waits for: the leader's commit index, asked of the core as a read index
 * (ReadIndex, thesis §6.4; no query) and handed to {@link NodeHealth}. It is asked only once health
 * was asked for ({@link #wanted}), so nodes nobody probes send no extra messages, and one at a time
 * until an answer arrives; a question that fails (leader lost, timed out) is asked again at the
 * next {@link #ask}.
 *
 * <p>Thread: {@link #want} on any thread; {@link #ask} on the loop lane, where the reads'
 * confirmations, expiries and failures also complete the question.
 */
final class ReadinessQuestion {

  private final NodeHealth health;
  private final PendingReads reads;
  private volatile boolean wanted;
  private boolean asked;

  ReadinessQuestion(NodeHealth health, PendingReads reads) {
    this.health = health;
    this.reads = reads;
  }

  /**
   * Health was asked for. Returns true the first time while the answer is still missing: the caller
   * then has the loop {@link #ask}. Any thread.
   */
  boolean want() {
    if (wanted || !health.needsLeaderCommit()) {
      return false;
    }
    wanted = true;
    return true;
  }

  /**
   * Asks {@code core} for a read index that expires at {@code deadlineTick}, if wanted, a leader is
   * known, no answer arrived yet and no question is pending. Loop lane.
   */
  void ask(RaftCore core, boolean leaderKnown, long deadlineTick) {
    if (!wanted || asked || !leaderKnown || !health.needsLeaderCommit()) {
      return;
    }
    asked = true;
    CompletableFuture<Long> index = new CompletableFuture<>();
    index.whenComplete(
        (commitIndex, error) -> {
          asked = false;
          if (error == null) {
            health.leaderCommitKnown(commitIndex);
          }
        });
    core.readIndex(reads.addIndexOnly(index, deadlineTick));
  }
}
