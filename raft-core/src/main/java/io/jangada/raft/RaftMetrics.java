package io.jangada.raft;

import io.jangada.raft.model.NodeId;

/**
 * Timing and counting hooks of one node, for a metrics binding (such as {@code
 * raft-metrics-micrometer}). Every method has a no-op default. A node without any registered hooks
 * does not even read the clock for them.
 *
 * <p>Thread: called from the node's threads (the loop, the log writer, the apply thread) on hot
 * paths, so implementations must be cheap, non-blocking and must not throw (exceptions are
 * ignored). Durations are in nanoseconds from {@link Scheduler#nanoTime()}.
 */
public interface RaftMetrics {

  /**
   * A proposal made on this node completed successfully: {@code nanos} from the {@link
   * RaftNode#propose} call to the entry being committed and applied here.
   */
  default void proposalCommitted(NodeId self, long nanos) {}

  /** A proposal was refused without being appended, for {@code reason}. */
  default void proposalDropped(NodeId self, ProposalDroppedException.Reason reason) {}

  /**
   * The log writer made a batch durable: {@code nanos} for append plus {@code sync()}, with {@code
   * entries} entries of {@code bytes} bytes in the batch (0 entries: a hard-state-only write).
   */
  default void logSynced(NodeId self, long nanos, int entries, long bytes) {}

  /** The apply thread applied {@code entries} committed entries in {@code nanos}. */
  default void applied(NodeId self, long nanos, int entries) {}

  /**
   * A linearizable or lease read was answered: {@code nanos} from the {@link RaftNode#query} call
   * to its result.
   */
  default void readServed(NodeId self, long nanos) {}
}
