package io.jangada.raft.internal;

import io.jangada.raft.RaftException;
import io.jangada.raft.Scheduler;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Builds what the loop drives, once per start, from the storage {@link Recovery} brought to a
 * consistent point: the {@link RaftCore} opened on it, and the three pipelines, each on lanes of
 * its own (DESIGN.md, "The two layers"): the {@link LogWriter} (log and state lanes), the {@link
 * Applier} (apply and snapshot lanes) and the {@link SnapshotTransfers} (snapshot-transfer lane).
 * What the pipelines report back (a failure, a snapshot stored or received) is handed to the loop
 * lane through the {@link Loop} the node gives.
 *
 * <p>Thread: the loop lane, before the node runs. Blocking: the core reads the log storage as it
 * opens. Errors: whatever opening the core or creating a lane throws; no pipeline is built then.
 */
final class NodeWiring {

  /** What the loop does when a pipeline reports back. Each runs on the loop lane. */
  record Loop(
      BiConsumer<String, RaftException> fail,
      Consumer<SnapshotMeta> snapshotStored,
      Consumer<SnapshotMeta> snapshotReceived,
      Consumer<NodeId> snapshotSendFailed) {}

  /** The core and the pipelines, built and wired, none of them started. */
  record Parts(RaftCore core, LogWriter writer, Applier applier, SnapshotTransfers snapshots) {}

  private final NodeOptions options;
  private final NodeId id;
  private final Scheduler scheduler;
  private final Executor loop;
  private final ProposalTracker proposals;
  private final SessionWaiters forwarded;
  private final Loop hooks;

  NodeWiring(
      NodeOptions options,
      Executor loop,
      ProposalTracker proposals,
      SessionWaiters forwarded,
      Loop hooks) {
    this.options = options;
    this.id = options.id();
    this.scheduler = options.scheduler();
    this.loop = loop;
    this.proposals = proposals;
    this.forwarded = forwarded;
    this.hooks = hooks;
  }

  /**
   * Opens the core on the recovered storage and builds the pipelines. Every lane is created before
   * the first pipeline, in the order log, apply, state, snapshot, snapshot transfer.
   */
  Parts open(Recovery.Recovered recovered) {
    HardState hard = recovered.hard();
    Membership membership = recovered.membership();
    RaftCore core =
        RaftCore.open(
            id,
            options.config(),
            membership,
            options.logStorage(),
            hard,
            recovered.applied(),
            options.random());
    recovered.snapshot().ifPresent(core::snapshotStored);
    Executor writerLane = scheduler.newLane("jangada-log-" + id);
    Executor applyLane = scheduler.newLane("jangada-apply-" + id);
    Executor stateLane = scheduler.newLane("jangada-state-" + id);
    Executor snapshotLane = scheduler.newLane("jangada-snapshot-" + id);
    SnapshotPolicy policy = options.snapshotPolicy().forNode(id, membership.members());
    Executor transferLane = scheduler.newLane("jangada-snapshot-transfer-" + id);
    NodeEvents events = options.events();
    LogWriter writer =
        new LogWriter(
            writerLane,
            stateLane,
            options.logStorage(),
            options.stateStorage(),
            hard,
            events,
            scheduler);
    SnapshotCommits commits = new SnapshotCommits(options.snapshotStorage());
    Applier applier =
        new Applier(
            id,
            options.stateMachine(),
            applyLane,
            proposals,
            recovered.snapshot(),
            recovered.sessions(),
            forwarded,
            membership,
            this::applierFailed,
            options.snapshotStorage(),
            commits,
            snapshotLane,
            policy,
            meta -> loop.execute(() -> hooks.snapshotStored().accept(meta)),
            events,
            scheduler);
    SnapshotTransfers snapshots =
        new SnapshotTransfers(
            id,
            options.snapshotStorage(),
            options.transport(),
            options.snapshotPolicy(),
            options.config().electionTicks(),
            loop,
            transferLane,
            hooks.snapshotSendFailed(),
            commits,
            meta -> loop.execute(() -> hooks.snapshotReceived().accept(meta)),
            events);
    return new Parts(core, writer, applier, snapshots);
  }

  /** The applier stopped on {@code e}: a snapshot it could not read, or the state machine. */
  private void applierFailed(RaftException e) {
    loop.execute(
        () ->
            hooks
                .fail()
                .accept(
                    e instanceof StorageFailedException
                        ? "storage failed reading a snapshot"
                        : "the state machine failed",
                    e));
  }
}
