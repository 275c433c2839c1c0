package io.jangada.raft.grpc;

import io.jangada.raft.model.NodeId;

/**
 * Counting hooks of a {@link GrpcTransport}, for a metrics binding (such as {@code
 * raft-metrics-micrometer}). Every method has a no-op default; without hooks nothing is counted.
 *
 * <p>Thread: called from gRPC and transport threads, concurrently. Implementations must be cheap,
 * non-blocking and must not throw (exceptions are ignored).
 */
public interface GrpcTransportMetrics {

  /** Why an inbound frame or message was rejected. */
  enum RejectReason {
    /** The frame could not be parsed. */
    MALFORMED_FRAME,
    /** The frame names another cluster id. */
    WRONG_CLUSTER,
    /** The sender is not a configured peer. */
    UNKNOWN_SENDER,
    /** The frame carries no message. */
    EMPTY_FRAME,
    /** A message of the frame could not be decoded. */
    MALFORMED_MESSAGE,
    /** A message claims another sender than the frame's. */
    SPOOFED_SENDER,
    /** A message is addressed to another node. */
    WRONG_RECIPIENT
  }

  /** An inbound frame (or one message of it) was rejected for {@code reason}. */
  default void frameRejected(NodeId self, RejectReason reason) {}

  /** The stream to {@code peer} ended; the transport reconnects after a backoff. */
  default void reconnecting(NodeId self, NodeId peer) {}

  /** An outbound message to {@code peer} was dropped because its queue was full or it was down. */
  default void messageDropped(NodeId self, NodeId peer) {}
}
