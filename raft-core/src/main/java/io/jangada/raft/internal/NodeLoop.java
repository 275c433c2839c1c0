package io.jangada.raft.internal;

import io.jangada.raft.Committed;
import io.jangada.raft.CommittedMembership;
import io.jangada.raft.MembershipChangeException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.RaftStatus.State;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.Role;
import io.jangada.raft.Scheduler;
import io.jangada.raft.core.ProposeResult;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.core.ReadState;
import io.jangada.raft.core.Ready;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's event loop: the only code that touches the {@link RaftCore}. Every input (a public
 * call, a message, a tick, a finished write) is a task on the loop lane; after a batch of inputs
 * the loop takes the core's next {@link Ready} and hands it to the log writer, the transport and
 * the applier (DESIGN.md, "The two layers").
 *
 * <p>Not part of the public API; {@code RaftNode} is the facade.
 */
public final class NodeLoop implements Transport.Inbox {

  private static final Logger log = LoggerFactory.getLogger(NodeLoop.class);

  private final NodeOptions options;
  private final NodeId id;
  private final Scheduler scheduler;
  private final Executor loop;
  private final ProposalTracker proposals = new ProposalTracker();
  private final SessionWaiters forwarded = new SessionWaiters();
  private final SessionProposer sessionProposer;
  private final StatusPublisher status;
  private final LeaderWaiters leaderWaiters;
  private final NodeProblems problems;

  // Written on the loop lane only; status() reads it from any thread.
  private volatile State state = State.STARTING;
  // Set by close's last task on the loop lane, after it settled the state (and, for a failed node,
  // the error): no loop task changes anything afterwards, and a node's own scheduler is shut down
  // next and drops whatever is queued later, so a request from then on is answered at once.
  private volatile boolean closed;
  private final NodeStop stop; // what stopping does to the pending work, and answers afterwards

  private final NodeEvents events;
  private final NodeHealth health;
  private final MembershipChanges membershipChanges;

  // Everything below is confined to the loop lane.
  private RaftCore core;
  private LogWriter writer;
  private Applier applier;
  private SnapshotTransfers snapshots;
  // The newest snapshot this node stored (taken, received or loaded at start). Any thread reads.
  private volatile long snapshotIndex;
  private final ReadysInFlight inFlight = new ReadysInFlight();
  private boolean processScheduled;
  private long ticks;
  private final TickClock tickClock;
  private final PendingReads reads;
  private final LeadershipTransfers transfers;
  private Scheduler.Cancellable tickTimer;
  private volatile long uncommittedBytes;
  private final ReadinessQuestion readiness;
  private final NodeStart starter;

  public NodeLoop(NodeOptions options) {
    this.options = options;
    this.id = options.id();
    this.scheduler = options.scheduler();
    this.loop = scheduler.newLane("jangada-loop-" + id);
    this.events = options.events();
    this.status = new StatusPublisher(options.id(), options.membership(), events);
    this.leaderWaiters = new LeaderWaiters(id, scheduler, loop);
    this.problems = new NodeProblems(id, options.transport());
    this.sessionProposer = new SessionProposer(options, proposals, forwarded);
    long electionNanos = options.tickInterval().toNanos() * options.config().electionTicks();
    this.health = new NodeHealth(scheduler, electionNanos);
    this.membershipChanges = new MembershipChanges(options.id(), options.transport(), events);
    this.reads = new PendingReads(id);
    this.readiness = new ReadinessQuestion(health, reads);
    this.tickClock = new TickClock(id, options.tickInterval(), options.config().electionTicks());
    this.transfers = new LeadershipTransfers(id, options.config().electionTicks());
    this.stop =
        new NodeStop(
            id,
            status,
            events,
            proposals,
            membershipChanges,
            forwarded,
            leaderWaiters,
            reads,
            transfers);
    NodeWiring wiring =
        new NodeWiring(
            options,
            loop,
            proposals,
            forwarded,
            new NodeWiring.Loop(
                this::fail,
                this::onSnapshotStored,
                this::onSnapshotReceived,
                this::onSnapshotSendFailed));
    this.starter =
        new NodeStart(
            options,
            loop,
            wiring,
            problems,
            membershipChanges,
            this,
            new NodeStart.Loop(
                () -> state == State.STARTING,
                this::notRunning,
                this::recovered,
                this::opened,
                this::startFailed,
                this::running));
  }

  /**
   * Opens storage, restores the newest snapshot (on the apply lane, as {@code StateMachine}
   * promises), checks the transport's peers against the configuration, starts the transport and the
   * timers ({@link NodeStart}).
   */
  public CompletableFuture<Void> start() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "node "
                  + id
                  + " is closed: a RaftNode starts only once; build a new one to run it again"));
    }
    return starter.start();
  }

  /**
   * The start recovered the storage. The snapshot index shows in the status from here on, also if
   * the node then fails to start. Loop lane.
   */
  private void recovered(Recovery.Recovered recovered) {
    snapshotIndex = recovered.applied();
    inFlight.start(recovered.hard());
  }

  /** The start built the core and the pipelines ({@link NodeWiring}): the loop drives them. */
  private void opened(NodeWiring.Parts parts) {
    core = parts.core();
    writer = parts.writer();
    applier = parts.applier();
    snapshots = parts.snapshots();
  }

  /** The node joined its cluster: it runs, and its timers start. Loop lane. */
  private void running() {
    state = State.RUNNING;
    health.started();
    log.info(
        "node {} started: term {}, log {}..{}",
        id,
        core.status().term(),
        options.logStorage().firstIndex(),
        options.logStorage().lastIndex());
    tickClock.start(scheduler.nanoTime());
    scheduleTick();
    process();
  }

  /** The start failed on {@code e}: the node fails for good ({@link NodeStop}). Loop lane. */
  private void startFailed(CompletableFuture<Void> started, Throwable e) {
    state = State.FAILED;
    stop.startFailed(started, e, applier);
  }

  /** Completes when the node stops for good; see {@code RaftNode.stopped}. Any thread. */
  public CompletableFuture<Void> stopped() {
    return stop.stopped();
  }

  /** A snapshot transfer to {@code peer} failed: the core goes back to probing it. Loop lane. */
  private void onSnapshotSendFailed(NodeId peer) {
    if (state == State.RUNNING) {
      core.reportSnapshot(peer, false);
      scheduleProcess();
    }
  }

  // ---- inputs from the public API (any thread) ----

  /** Proposes {@code command}; see {@code RaftNode.propose}. */
  public CompletableFuture<Committed> propose(Bytes command) {
    CompletableFuture<Committed> future = new CompletableFuture<>();
    if (command.size() > options.maxProposalBytes()) {
      events.proposalDropped(ProposalDroppedException.Reason.TOO_LARGE);
      future.completeExceptionally(NodeErrors.tooLarge(command.size(), options.maxProposalBytes()));
      return future;
    }
    if (events.timed()) {
      long start = scheduler.nanoTime();
      future.whenComplete(
          (committed, error) -> {
            if (error == null) {
              events.proposalCommitted(scheduler.nanoTime() - start);
            }
          });
    }
    onLoop(
        future,
        () -> {
          ProposeResult result = core.propose(command);
          if (result instanceof ProposeResult.Accepted accepted) {
            proposals.register(accepted.index(), accepted.term(), future);
          } else if (result instanceof ProposeResult.NotLeader notLeader) {
            future.completeExceptionally(new NotLeaderException(id, notLeader.leaderHint()));
          } else if (result instanceof ProposeResult.Dropped dropped) {
            ProposalDroppedException.Reason reason = NodeErrors.dropReason(dropped);
            events.proposalDropped(reason);
            future.completeExceptionally(new ProposalDroppedException(reason, dropped.reason()));
          } else {
            throw new AssertionError(result);
          }
        });
    return future;
  }

  /**
   * Proposes a client-session request (open, command or close); see {@code RaftNode.propose(Bytes,
   * SessionInfo)}.
   */
  public CompletableFuture<Committed> proposeSession(SessionEntry request) {
    CompletableFuture<Committed> future = new CompletableFuture<>();
    if (request.command().size() > options.maxProposalBytes()) {
      future.completeExceptionally(
          NodeErrors.tooLarge(request.command().size(), options.maxProposalBytes()));
      return future;
    }
    onLoop(future, () -> sessionProposer.propose(core, request, future, ticks));
    return future;
  }

  /** Reads with the given consistency; see {@code RaftNode.query}. */
  public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
    CompletableFuture<Bytes> future = new CompletableFuture<>();
    if (consistency != ReadConsistency.STALE && events.timed()) {
      long start = scheduler.nanoTime();
      future.whenComplete(
          (value, error) -> {
            if (error == null) {
              events.readServed(scheduler.nanoTime() - start);
            }
          });
    }
    onLoop(
        future,
        () -> {
          if (consistency == ReadConsistency.STALE) {
            applier.queryNow(request, future);
            return;
          }
          deliverDueTicks(); // a lease may have run out in a pause this task waited behind
          long readId = reads.add(request, future, ticks + options.readTimeoutTicks());
          if (consistency == ReadConsistency.LEASE) {
            core.leaseRead(readId);
          } else {
            core.readIndex(readId);
          }
        });
    return future;
  }

  /**
   * Changes the configuration to {@code target} if the one in force is at {@code expectedIndex};
   * see {@code RaftNode.changeMembership}.
   */
  public CompletableFuture<CommittedMembership> changeMembership(
      Membership target, long expectedIndex) {
    CompletableFuture<CommittedMembership> future = new CompletableFuture<>();
    onLoop(future, () -> membershipChanges.propose(core, target, expectedIndex, future));
    return future;
  }

  /**
   * Changes the configuration to {@code edit} applied to the one in force (atomically on the loop);
   * {@code edit} may throw a {@link MembershipChangeException} to refuse.
   */
  public CompletableFuture<CommittedMembership> changeMembership(
      Function<Membership, Membership> edit) {
    CompletableFuture<CommittedMembership> future = new CompletableFuture<>();
    onLoop(future, () -> membershipChanges.proposeEdit(core, edit, future));
    return future;
  }

  /** Takes a snapshot now; see {@code RaftNode.snapshot}. */
  public CompletableFuture<SnapshotMeta> snapshot() {
    CompletableFuture<SnapshotMeta> future = new CompletableFuture<>();
    onLoop(
        future,
        () ->
            applier
                .snapshot()
                .whenComplete(
                    (meta, error) -> {
                      if (error != null) {
                        future.completeExceptionally(error);
                      } else {
                        future.complete(meta);
                      }
                    }));
    return future;
  }

  /** Hands leadership to {@code target}; see {@code RaftNode.transferLeadership}. */
  public CompletableFuture<Void> transferLeadership(NodeId target) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    onLoop(future, () -> transfers.start(core, target, future, ticks));
    return future;
  }

  /** Completes with the leader once this node knows one; see {@code RaftNode.awaitLeader}. */
  public CompletableFuture<NodeId> awaitLeader(Duration timeout) {
    CompletableFuture<NodeId> future = new CompletableFuture<>();
    if (closed) {
      future.completeExceptionally(notRunning());
      return future;
    }
    loop.execute(
        () -> {
          if (state == State.FAILED || state == State.CLOSED) {
            future.completeExceptionally(notRunning());
            return;
          }
          leaderWaiters.await(
              future, state == State.RUNNING ? status.shape().leader() : Optional.empty(), timeout);
        });
    return future;
  }

  /** The latest published status. Any thread. */
  public RaftStatus status() {
    return status.current(state, stop.fatal(), applier, snapshotIndex, problems);
  }

  /** Bytes of uncommitted entries on this leader (0 otherwise), as last published. Any thread. */
  public long uncommittedBytes() {
    return uncommittedBytes;
  }

  /** Liveness and readiness; see {@code RaftNode.health}. Any thread. */
  public io.jangada.raft.RaftHealth health() {
    if (readiness.want()) {
      loop.execute(
          () -> {
            if (state == State.RUNNING) {
              askLeaderCommitForReadiness();
              scheduleProcess();
            }
          });
    }
    State now = state;
    RaftException stoppedBy = stop.fatal();
    return health.health(now, Optional.ofNullable(stoppedBy).map(NodeErrors::describe), status());
  }

  /** Why the node failed, if it did. Any thread (racy, for diagnostics). */
  public Optional<Throwable> failure() {
    return stop.failure();
  }

  /**
   * Stops the node; a leader first hands leadership to its most up-to-date active voter, waiting at
   * most {@code handover} (zero: stops at once); see {@code RaftNode.close}. Waits for the loop to
   * acknowledge. Does not close the transport or the storages.
   */
  public void close(Duration handover) {
    if (closed) {
      return; // idempotent; the loop may be gone (a node's own scheduler is shut down)
    }
    if (!handover.isZero() && !handover.isNegative()) {
      CompletableFuture<Void> handedOver = handOver();
      if (!scheduler.awaitDone(handedOver, handover)) {
        log.info("node {}: no other node took over leadership within {}", id, handover);
      }
    }
    CompletableFuture<Void> loopStopped = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (state == State.RUNNING || state == State.STARTING) {
            state = State.CLOSED;
            stop.closing(inFlight.handedOutUpTo(), applier);
          }
          if (tickTimer != null) {
            tickTimer.cancel();
          }
          if (writer != null) {
            writer.stop();
          }
          if (snapshots != null) {
            snapshots.stop();
          }
          this.closed = true;
          loopStopped.complete(null);
          stop.closed();
        });
    if (!scheduler.awaitDone(loopStopped, java.time.Duration.ofSeconds(10))) {
      log.warn("node {} did not stop its loop in time", id);
    }
    if (options.ownsScheduler()) {
      scheduler.shutdown();
    }
  }

  /**
   * If this node leads, transfers leadership to the active voter with the highest match index (the
   * lowest id on a tie). Completes when another node leads, at once if there is nothing to do, or
   * exceptionally if the transfer fails.
   */
  private CompletableFuture<Void> handOver() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (state != State.RUNNING) {
            done.complete(null);
          } else if (transfers.handOver(core, done, ticks)) {
            scheduleProcess();
          }
        });
    return done;
  }

  // ---- inputs from the transport (transport threads) ----

  @Override
  public void receive(Message message) {
    if (!message.to().equals(id)) {
      return;
    }
    if (message instanceof Message.ForwardProposal forward) {
      loop.execute(
          () -> {
            if (state == State.RUNNING) {
              sessionProposer.onForwarded(core, forward);
              scheduleProcess();
            }
          });
      return;
    }
    // On the transport's thread if the loop is idle (no hand-off, no wake-up; docs/threading.md).
    ThreadLane.executeHere(
        loop,
        () -> {
          if (state == State.RUNNING) {
            core.step(message);
            routeSnapshotTraffic(message);
            scheduleProcess();
          }
        });
  }

  @Override
  public void unreachable(NodeId peer) {
    loop.execute(
        () -> {
          if (state == State.RUNNING) {
            core.reportUnreachable(peer);
            scheduleProcess();
          }
        });
  }

  // ---- snapshots ----

  /** Hands InstallSnapshot traffic of the current term to the transfers, after the core saw it. */
  private void routeSnapshotTraffic(Message message) {
    if (message instanceof Message.InstallSnapshot chunk) {
      RaftStatus now = core.statusShape(); // term and leader: current in the shape
      if (now.term() == chunk.term() && now.leader().equals(Optional.of(chunk.from()))) {
        snapshots.onChunk(chunk);
      }
    } else if (message instanceof Message.InstallSnapshotResponse response) {
      snapshots.onResponse(response);
    }
  }

  /** A snapshot this node took is durable: compact the log behind it. Loop lane. */
  private void onSnapshotStored(SnapshotMeta meta) {
    if (state != State.RUNNING) {
      return;
    }
    snapshotIndex = Math.max(snapshotIndex, meta.index());
    core.snapshotStored(meta); // before compacting: the core's base configuration moves first
    long compactTo = meta.index() - options.snapshotPolicy().trailingEntries();
    if (compactTo >= 1) {
      writer.compact(
          compactTo,
          e ->
              loop.execute(
                  () ->
                      fail(
                          "storage failed compacting",
                          NodeErrors.storageFailed(id, "compacting", e))));
    }
    scheduleProcess();
  }

  /** A snapshot from the leader is stored: the core decides whether to adopt it. Loop lane. */
  private void onSnapshotReceived(SnapshotMeta meta) {
    if (state != State.RUNNING) {
      return;
    }
    core.installSnapshot(meta);
    scheduleProcess();
  }

  // ---- the loop ----

  private void onLoop(CompletableFuture<?> future, Runnable action) {
    if (closed) {
      future.completeExceptionally(notRunning()); // the loop may be gone; see closed
      return;
    }
    loop.execute(
        () -> {
          if (state != State.RUNNING) {
            future.completeExceptionally(notRunning());
            return;
          }
          action.run();
          scheduleProcess();
        });
  }

  private RaftException notRunning() {
    return stop.notRunning(state);
  }

  private void scheduleTick() {
    tickTimer = scheduler.schedule(tickClock.untilNext(scheduler.nanoTime()), loop, this::onTick);
  }

  private void onTick() {
    if (state == State.RUNNING) {
      deliverDueTicks();
      scheduleTick();
    }
  }

  /** Delivers the ticks due by the scheduler's clock and not delivered yet ({@link TickClock}). */
  private void deliverDueTicks() {
    long due = tickClock.take(scheduler.nanoTime());
    int election = options.config().electionTicks();
    if (due > 0 && ticks / election != (ticks + due) / election) {
      health.probe(writer, applier); // once per election timeout: cheap next to a 10 s stall
      writer.saveCommitIfBehind(this::persistFailed); // an idle node's commit index gets saved too
    }
    ticks += due;
    for (long i = tickClock.forCore(due); i > 0; i--) {
      core.tick();
      snapshots.tick();
    }
    if (due > 0) {
      events.followerActivity(status.shape(), ticks, election);
      reads.expire(ticks);
      askLeaderCommitForReadiness(); // again, if the last question failed
      transfers.expire(core, ticks);
      sessionProposer.expire(ticks);
      scheduleProcess();
    }
  }

  private void scheduleProcess() {
    if (!processScheduled) {
      processScheduled = true;
      loop.execute(this::process);
    }
  }

  /**
   * Takes the next Ready, also while earlier ones are still being written (up to {@link
   * ReadysInFlight#MAX}), and hands it to the pipelines. The log writer persists them in order and
   * reports each back ({@link #afterPersist}) in that order.
   */
  private void process() {
    processScheduled = false;
    if (state != State.RUNNING) {
      return;
    }
    publishStatus();
    RaftStatus now = status.shape();
    snapshots.roleChanged(now.role() == Role.LEADER);
    if (inFlight.full() || !core.hasReady()) {
      return;
    }
    Ready ready = core.ready();
    // Whether every earlier Ready is durable (and advanced) already.
    boolean alone = inFlight.isEmpty();
    boolean write = inFlight.needsWrite(ready);
    inFlight.add(ready);
    if (now.role() == Role.LEADER) {
      snapshots.update(now.term(), ready.snapshotPeers());
    }
    if (membershipChanges.announce(ready.membership(), ready.membershipIndex())) {
      // After the transport followed the configuration: checked before, a removed member was
      // still one of its peers, and "not a member" stayed among the problems until the next change.
      problems.membershipChanged(ready.membership());
    }
    if (!write && alone) {
      // Nothing to write, or only a commit index the writer would not save: every earlier Ready
      // is durable, so the messages may leave and the entries be applied now.
      writer.skipped(ready);
      afterPersist(ready, ready.messages(), ready.committed(), reads(ready.readStates()));
      return;
    }
    inFlight.written(ready);
    // Thesis §10.2.1: a leader whose term is durable replicates while its own writes are in
    // flight; the core counts the leader's copy only after advance(). Everything else waits for
    // this Ready's write, which comes after every earlier Ready's: a message may promise what an
    // earlier Ready still in flight writes (an acknowledgement of its entries, its vote).
    List<Message> later = new ArrayList<>(ready.messages().size());
    for (Message message : ready.messages()) {
      if (ready.mayLeaveBeforeSync(message)) {
        options.transport().send(message);
      } else {
        later.add(message);
      }
    }
    // Committed entries that earlier Readies wrote are durable here already (and on a quorum) if
    // none of those is still in flight: apply them now instead of after this Ready's fsync, which
    // would add a whole sync to every proposal's latency. Those this Ready writes itself, any
    // after a snapshot it installs, and all of them while an earlier Ready is in flight (which may
    // write them, and whose committed entries must be applied first) wait for the write.
    List<LogEntry> committed = ready.committed();
    int durable =
        !alone || ready.snapshot().isPresent()
            ? 0
            : ReadysInFlight.writtenBefore(committed, ready.entries());
    List<Applier.Read> confirmed = reads(ready.readStates());
    List<LogEntry> afterWrite = committed.subList(durable, committed.size());
    List<Applier.Read> readsAfterWrite = durable > 0 ? List.of() : confirmed;
    // The write is handed over first, the applies below after it: on a follower every Ready of a
    // steady stream has both (the new entries, and the commit index that the leader's request
    // carried for earlier ones), and only the write is on a write's critical path (its
    // acknowledgement waits for the sync, nothing waits for a follower's apply). Woken first, the
    // log writer gets a free core first. The applies stay ahead of this Ready's own (afterPersist
    // runs on the loop, after this task).
    writer.persist(
        ready,
        () -> {
          // On the writer lane, right after the sync: what waited for durability (a follower's
          // acknowledgement, a vote) leaves now instead of after one more hop through the loop.
          // The writer runs these callbacks in Ready order, so the order of sends holds.
          if (state == State.RUNNING) {
            sendAll(later);
          }
          // On the writer's thread if the loop is idle: no wake-up of the loop's thread.
          ThreadLane.executeHere(
              loop, () -> afterPersist(ready, List.of(), afterWrite, readsAfterWrite));
        },
        this::persistFailed);
    if (durable > 0) {
      applier.submit(committed.subList(0, durable), confirmed);
    }
  }

  /** The log writer or the state lane failed to persist. Any thread. */
  private void persistFailed(Throwable e) {
    if (e instanceof LogWriter.StateFileFailed stateFile) {
      loop.execute(
          () ->
              fail(
                  "storage failed while saving the state file",
                  NodeErrors.storageFailed(id, "saving the state file", stateFile.getCause())));
      return;
    }
    loop.execute(
        () ->
            fail(
                "storage failed while persisting the log",
                NodeErrors.storageFailed(id, "persisting the log", e)));
  }

  private void afterPersist(
      Ready ready, List<Message> messages, List<LogEntry> committed, List<Applier.Read> reads) {
    if (state != State.RUNNING || !inFlight.isOldest(ready)) {
      return;
    }
    sendAll(messages);
    if (ready.snapshot().isPresent()) {
      restore(ready.snapshot().get());
    }
    applier.submit(committed, reads);
    core.advance(ready);
    inFlight.removeOldest();
    process();
  }

  /** Restores a snapshot on the apply lane before any later committed entry is applied. */
  private void restore(SnapshotMeta snapshot) {
    snapshotIndex = Math.max(snapshotIndex, snapshot.index());
    applier.restore(snapshot);
  }

  private void sendAll(List<Message> messages) {
    for (Message message : messages) {
      options.transport().send(message);
    }
  }

  private List<Applier.Read> reads(List<ReadState> states) {
    return reads.confirmed(states, status.shape().leader());
  }

  /**
   * Publishes the core's status after a batch of inputs. Under load almost every round moves the
   * commit index and nothing else: that costs no status object (see {@link StatusPublisher}); what
   * reacts to a new role, leader or configuration runs only when the status's shape changed.
   */
  private void publishStatus() {
    uncommittedBytes = core.uncommittedBytes();
    RaftStatus previous = status.shape();
    status.refresh(core);
    RaftStatus next = status.shape();
    // First: a leader that removed itself steps down as its change commits. Cheap when none waits.
    membershipChanges.update(next, status.commitIndex());
    if (next != previous) {
      shapeChanged(previous, next);
    }
    transfers.statusChanged(next); // cheap without a pending transfer
  }

  /** The role, term, leader, configuration or a follower's replication state changed. */
  private void shapeChanged(RaftStatus previous, RaftStatus next) {
    next.leader().ifPresent(leaderWaiters::leaderKnown);
    askLeaderCommitForReadiness();
    if (previous.role() == Role.LEADER && next.role() != Role.LEADER) {
      proposals.failAll(() -> NodeErrors.lostLeadership(id));
    }
  }

  /** Asks for the leader's commit index readiness waits for ({@link ReadinessQuestion}). */
  private void askLeaderCommitForReadiness() {
    readiness.ask(core, status.shape().leader().isPresent(), ticks + options.readTimeoutTicks());
  }

  /**
   * Stops the node for good after a storage or state-machine failure: it sends nothing more (the
   * others elect a leader without it), reports FAILED as a follower without leader, and fails
   * everything pending and every later request with (a copy of) {@code error}. Loop lane.
   */
  private void fail(String what, RaftException error) {
    if (state != State.RUNNING) {
      return;
    }
    StorageFailures.logStop(log, id, what, error); // a full disk in plain words, a bug in full
    state = State.FAILED;
    stop.failing(what, error);
    if (tickTimer != null) {
      tickTimer.cancel();
    }
    writer.stop();
    snapshots.stop();
    applier.stop();
    stop.failed(inFlight.handedOutUpTo(), applier);
  }
}
