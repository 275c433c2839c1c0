package io.jangada.raft.examples.kv.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens the durable storage and the gRPC transport and starts the {@code RaftNode} with a {@code
 * KvStateMachine}. Every failure becomes a one-line {@link ServerCommand.StartupException}.
 */
final class RaftWiring {

  private RaftWiring() {}

  /** A started node and what it owns, closed in reverse order. */
  interface Running extends AutoCloseable {
    KvNode node();

    @Override
    void close();
  }

  static Running start(ServerCommand.Plan plan, Path dataDir, String clusterId, Duration tick) {
    throw new ServerCommand.StartupException(
        "this build has no durable storage and gRPC transport yet (raft-storage-file, raft-grpc)");
  }
}
