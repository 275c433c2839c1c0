package io.jangada.raft.internal;

import io.jangada.raft.Scheduler;
import io.jangada.raft.SessionLimits;
import io.jangada.raft.StateMachine;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.storage.StateStorage;
import io.jangada.raft.transport.Transport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/** Everything a node is built from, validated by {@code RaftNode.Builder}. */
public record NodeOptions(
    NodeId id,
    Membership membership,
    RaftConfig config,
    StateMachine stateMachine,
    LogStorage logStorage,
    StateStorage stateStorage,
    SnapshotStorage snapshotStorage,
    Transport transport,
    Duration tickInterval,
    Scheduler scheduler,
    boolean ownsScheduler,
    RandomGenerator random,
    NodeEvents events,
    Executor callbackExecutor,
    int maxProposalBytes,
    int readTimeoutTicks,
    SnapshotPolicy snapshotPolicy,
    SessionLimits sessionLimits,
    boolean forwardSessionProposals) {

  public NodeOptions {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(membership, "membership");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(stateMachine, "stateMachine");
    Objects.requireNonNull(logStorage, "logStorage");
    Objects.requireNonNull(stateStorage, "stateStorage");
    Objects.requireNonNull(snapshotStorage, "snapshotStorage");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(tickInterval, "tickInterval");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(callbackExecutor, "callbackExecutor");
    Objects.requireNonNull(snapshotPolicy, "snapshotPolicy");
    Objects.requireNonNull(sessionLimits, "sessionLimits");
  }
}
