package io.jangada.raft.examples.kv.demo;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.util.Optional;

/**
 * One thing that happened during a demo run, stamped with the virtual time in nanoseconds. The
 * {@link Trace} keeps them in the order they happened; the narration and the timeline are both
 * drawn from that list alone.
 */
sealed interface Event {

  /** Virtual time, nanoseconds since the cluster started. */
  long nanos();

  /** A line of the scenario's own story ("The client writes greeting=hello through n2"). */
  record Note(long nanos, String text) implements Event {}

  /**
   * A node handed {@code message} to the network. {@code dropReason} is set when the network threw
   * it away (a partition, a crashed addressee); otherwise a {@link Delivered} with the same {@code
   * id} follows unless the addressee stops first.
   */
  record Sent(long nanos, long id, Message message, Optional<String> dropReason) implements Event {}

  /** The message {@code id} reached its addressee. */
  record Delivered(long nanos, long id, Message message) implements Event {}

  /** A node's role changed (from its {@code RaftListener}). */
  record RoleChanged(long nanos, NodeId node, Role role, long term) implements Event {}

  /** A node's commit index advanced. */
  record Committed(long nanos, NodeId node, long index) implements Event {}

  /** A node's state machine applied a command; {@code command} and {@code result} are readable. */
  record Applied(long nanos, NodeId node, long index, String command, String result)
      implements Event {}

  /** A node took a snapshot covering the log up to {@code index} (and compacted its log). */
  record SnapshotTaken(long nanos, NodeId node, long index, long term) implements Event {}

  /** A node's state machine was restored from a snapshot up to {@code index}. */
  record SnapshotRestored(long nanos, NodeId node, long index, long term) implements Event {}

  /** A client asked {@code node} to run a write. */
  record Proposed(long nanos, long id, NodeId node, String command) implements Event {}

  /**
   * The write {@code id} finished: {@code ok} with the state machine's result as {@code outcome}
   * and its log position {@code index}/{@code term}, or failed with {@code outcome} naming the
   * error (index and term 0).
   */
  record Answered(
      long nanos, long id, NodeId node, boolean ok, String outcome, long index, long term)
      implements Event {}

  /** A node crashed (stopped at once, losing unsynced writes). */
  record Crashed(long nanos, NodeId node) implements Event {}

  /** A crashed node restarted from its durable storage. */
  record Restarted(long nanos, NodeId node) implements Event {}

  /** The network now drops every message from {@code from} to {@code to}. */
  record LinkCut(long nanos, NodeId from, NodeId to) implements Event {}

  /** Every cut link works again. */
  record Healed(long nanos) implements Event {}
}
