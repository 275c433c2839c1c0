package io.jangada.raft.internal;

import io.jangada.raft.Committed;
import io.jangada.raft.CommittedMembership;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.LeadershipTransferException;
import io.jangada.raft.MembershipChangeException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.Role;
import io.jangada.raft.Scheduler;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.core.ProposeResult;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.core.ReadState;
import io.jangada.raft.core.Ready;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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

  /** A thread that has not finished a probe for this long (at least) makes the node not live. */
  private static final long STALL_FLOOR_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

  private enum State {
    NEW,
    RUNNING,
    CLOSED,
    FAILED
  }

  private record PendingRead(Bytes request, CompletableFuture<Bytes> future, long deadlineTick) {}

  private record PendingTransfer(
      NodeId target, CompletableFuture<Void> future, long deadlineTick) {}

  private final NodeOptions options;
  private final NodeId id;
  private final Scheduler scheduler;
  private final Executor loop;
  private final ProposalTracker proposals = new ProposalTracker();
  private final SessionWaiters forwarded = new SessionWaiters();
  private final SessionProposer sessionProposer;
  private final StatusPublisher status;
  private final NodeEvents events;
  private final long stallNanos;
  private final MembershipChanges membershipChanges;

  // Everything below is confined to the loop lane.
  // Written on the loop lane; volatile so that health() can read it from any thread.
  private volatile State state = State.NEW;
  private RaftCore core;
  private LogWriter writer;
  private Applier applier;
  private SnapshotTransfers transfers;
  // The newest snapshot this node stored (taken, received or loaded at start). Any thread reads.
  private volatile long snapshotIndex;
  private Ready inFlight;
  private boolean processScheduled;
  private long ticks;
  private long nextReadId;
  private final Map<Long, PendingRead> reads = new HashMap<>();
  private PendingTransfer transfer;
  private Scheduler.Cancellable tickTimer;
  private volatile Throwable failure;
  // Health: when the loop, the writer and the applier last ran a probe (scheduler nanos), and the
  // commit index learned when a leader was first known after start (-1 until then).
  private volatile long loopBeat;
  private volatile long writerBeat;
  private volatile long applyBeat;
  private volatile long readyCommitIndex = -1;
  private volatile long uncommittedBytes;

  public NodeLoop(NodeOptions options) {
    this.options = options;
    this.id = options.id();
    this.scheduler = options.scheduler();
    this.loop = scheduler.newLane("jangada-loop-" + id);
    this.events = options.events();
    this.status = new StatusPublisher(options.id(), options.membership(), events);
    this.sessionProposer = new SessionProposer(options, proposals, forwarded);
    long electionNanos = options.tickInterval().toNanos() * options.config().electionTicks();
    this.stallNanos = Math.max(STALL_FLOOR_NANOS, 4 * electionNanos);
    this.membershipChanges = new MembershipChanges(options.id(), options.transport(), events);
  }

  /** Opens storage, restores the newest snapshot, starts the transport and the timers. */
  public CompletableFuture<Void> start() {
    CompletableFuture<Void> started = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (state != State.NEW) {
            started.completeExceptionally(
                new IllegalStateException("node " + id + " was already started"));
            return;
          }
          try {
            open();
            state = State.RUNNING;
            long now = scheduler.nanoTime();
            loopBeat = now;
            writerBeat = now;
            applyBeat = now;
            scheduleTick();
            process();
            started.complete(null);
          } catch (Exception | Error e) {
            state = State.FAILED;
            failure = e;
            started.completeExceptionally(e);
          }
        });
    return started;
  }

  private void open() throws IOException {
    Recovery.Recovered recovered = Recovery.recover(options);
    HardState hard = recovered.hard();
    Membership membership = recovered.membership();
    long applied = recovered.applied();
    Optional<SnapshotMeta> snapshot = recovered.snapshot();
    snapshotIndex = applied;
    core =
        RaftCore.open(
            id,
            options.config(),
            membership,
            options.logStorage(),
            hard,
            applied,
            options.random());
    snapshot.ifPresent(core::snapshotStored);
    Executor writerLane = scheduler.newLane("jangada-log-" + id);
    Executor applyLane = scheduler.newLane("jangada-apply-" + id);
    writer =
        new LogWriter(
            writerLane, options.logStorage(), options.stateStorage(), hard, events, scheduler);
    SnapshotCommits commits = new SnapshotCommits(options.snapshotStorage());
    applier =
        new Applier(
            id,
            options.stateMachine(),
            applyLane,
            proposals,
            snapshot,
            recovered.sessions(),
            forwarded,
            membership,
            e -> loop.execute(() -> fail("the state machine failed", e)),
            options.snapshotStorage(),
            commits,
            scheduler.newLane("jangada-snapshot-" + id),
            options.snapshotPolicy(),
            meta -> loop.execute(() -> onSnapshotStored(meta)),
            events,
            scheduler);
    transfers =
        new SnapshotTransfers(
            id,
            options.snapshotStorage(),
            options.transport(),
            options.snapshotPolicy(),
            options.config().electionTicks(),
            loop,
            scheduler.newLane("jangada-snapshot-transfer-" + id),
            peer -> {
              if (state == State.RUNNING) {
                core.reportSnapshot(peer, false);
                scheduleProcess();
              }
            },
            commits,
            meta -> loop.execute(() -> onSnapshotReceived(meta)),
            events);
    options.transport().start(this);
    RaftStatus initial = core.status();
    membershipChanges.announce(initial.membership(), initial.membershipIndex());
    log.info(
        "node {} started: term {}, log {}..{}",
        id,
        hard.term(),
        options.logStorage().firstIndex(),
        options.logStorage().lastIndex());
  }

  // ---- inputs from the public API (any thread) ----

  /** Proposes {@code command}; see {@code RaftNode.propose}. */
  public CompletableFuture<Committed> propose(Bytes command) {
    CompletableFuture<Committed> future = new CompletableFuture<>();
    if (command.size() > options.maxProposalBytes()) {
      events.proposalDropped(ProposalDroppedException.Reason.TOO_LARGE);
      future.completeExceptionally(
          new ProposalDroppedException(
              ProposalDroppedException.Reason.TOO_LARGE,
              "command of "
                  + command.size()
                  + " bytes exceeds the limit of "
                  + options.maxProposalBytes()
                  + " bytes (RaftNode.Builder.maxProposalBytes)"));
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
            ProposalDroppedException.Reason reason = dropReason(dropped);
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
          new ProposalDroppedException(
              ProposalDroppedException.Reason.TOO_LARGE,
              "command of "
                  + request.command().size()
                  + " bytes exceeds the limit of "
                  + options.maxProposalBytes()
                  + " bytes (RaftNode.Builder.maxProposalBytes)"));
      return future;
    }
    onLoop(future, () -> sessionProposer.propose(core, request, future, ticks));
    return future;
  }

  static ProposalDroppedException.Reason dropReason(ProposeResult.Dropped dropped) {
    // The core states its reason in words; these are the two it has (RaftCore.propose).
    return dropped.reason().startsWith("leadership transfer")
        ? ProposalDroppedException.Reason.LEADERSHIP_TRANSFER
        : ProposalDroppedException.Reason.BACKLOG_FULL;
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
          long readId = ++nextReadId;
          reads.put(readId, new PendingRead(request, future, ticks + options.readTimeoutTicks()));
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
    onLoop(
        future,
        () -> {
          RaftStatus now = core.status();
          if (now.role() != Role.LEADER) {
            future.completeExceptionally(new NotLeaderException(id, now.leader()));
            return;
          }
          Membership target;
          try {
            target = edit.apply(now.membership());
          } catch (MembershipChangeException | IllegalArgumentException e) {
            future.completeExceptionally(
                e instanceof MembershipChangeException
                    ? e
                    : new MembershipChangeException(
                        MembershipChangeException.Reason.INVALID, e.getMessage()));
            return;
          }
          membershipChanges.propose(core, target, now.membershipIndex(), future);
        });
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
    onLoop(
        future,
        () -> {
          RaftStatus now = core.status();
          if (now.role() != Role.LEADER) {
            future.completeExceptionally(new NotLeaderException(id, now.leader()));
            return;
          }
          if (target.equals(id)) {
            future.complete(null);
            return;
          }
          if (!now.membership().isVoter(target)) {
            future.completeExceptionally(
                new LeadershipTransferException(target + " is not a voter of this cluster"));
            return;
          }
          if (transfer != null) {
            transfer
                .future()
                .completeExceptionally(
                    new LeadershipTransferException("superseded by a transfer to " + target));
          }
          transfer =
              new PendingTransfer(target, future, ticks + 2L * options.config().electionTicks());
          core.transferLeadership(target);
        });
    return future;
  }

  /** The latest published status. Any thread. */
  public RaftStatus status() {
    RaftStatus latest = status.latest();
    long applied = applier == null ? latest.appliedIndex() : applier.appliedIndex();
    return new RaftStatus(
        latest.id(),
        latest.role(),
        latest.term(),
        latest.leader(),
        latest.commitIndex(),
        applied,
        latest.firstIndex(),
        latest.lastIndex(),
        Math.max(snapshotIndex, latest.snapshotIndex()),
        latest.membership(),
        latest.membershipIndex(),
        latest.peers());
  }

  /** Bytes of uncommitted entries on this leader (0 otherwise), as last published. Any thread. */
  public long uncommittedBytes() {
    return uncommittedBytes;
  }

  /** Liveness and readiness; see {@code RaftNode.health}. Any thread. */
  public io.jangada.raft.RaftHealth health() {
    List<String> problems = new ArrayList<>();
    State now = state;
    if (now == State.NEW) {
      problems.add("not started");
    } else if (now == State.CLOSED) {
      problems.add("closed");
    } else if (now == State.FAILED) {
      problems.add("stopped after a failure: " + failure);
    } else {
      long time = scheduler.nanoTime();
      stalled(problems, "loop", time - loopBeat);
      stalled(problems, "log writer", time - writerBeat);
      stalled(problems, "apply", time - applyBeat);
    }
    boolean live = problems.isEmpty();
    RaftStatus current = status();
    if (current.leader().isEmpty()) {
      problems.add("no leader known");
    } else if (readyCommitIndex < 0 || current.appliedIndex() < readyCommitIndex) {
      problems.add(
          "catching up: applied "
              + current.appliedIndex()
              + " of "
              + Math.max(readyCommitIndex, current.commitIndex()));
    }
    return new io.jangada.raft.RaftHealth(live, problems.isEmpty(), problems);
  }

  private void stalled(List<String> problems, String thread, long idleNanos) {
    if (idleNanos > stallNanos) {
      problems.add(
          "the "
              + thread
              + " thread has not finished a task for "
              + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(idleNanos)
              + " ms");
    }
  }

  /** Why the node failed, if it did. Any thread (racy, for diagnostics). */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Stops the node: no more input is accepted, pending requests fail, timers stop. Waits for the
   * loop to acknowledge. Does not close the transport or the storages.
   */
  public void close() {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (state == State.RUNNING || state == State.NEW) {
            state = State.CLOSED;
            failEverything(
                () -> new NodeClosedException("node " + id + " was closed"),
                () ->
                    new IndeterminateResultException(
                        "node " + id + " was closed before the proposal's outcome was known"));
          }
          if (tickTimer != null) {
            tickTimer.cancel();
          }
          if (writer != null) {
            writer.stop();
          }
          if (transfers != null) {
            transfers.stop();
          }
          stopped.complete(null);
        });
    if (!scheduler.awaitDone(stopped, java.time.Duration.ofSeconds(10))) {
      log.warn("node {} did not stop its loop in time", id);
    }
    if (options.ownsScheduler()) {
      scheduler.shutdown();
    }
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
    loop.execute(
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
      RaftStatus now = core.status();
      if (now.term() == chunk.term() && now.leader().equals(Optional.of(chunk.from()))) {
        transfers.onChunk(chunk);
      }
    } else if (message instanceof Message.InstallSnapshotResponse response) {
      transfers.onResponse(response);
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
      writer.compact(compactTo, e -> loop.execute(() -> fail("storage failed compacting", e)));
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
    if (state == State.FAILED) {
      return new StorageFailedException("node " + id + " has stopped after a failure", failure);
    }
    if (state == State.NEW) {
      return new NodeClosedException("node " + id + " is not started yet");
    }
    return new NodeClosedException("node " + id + " is closed");
  }

  private void scheduleTick() {
    tickTimer = scheduler.schedule(options.tickInterval(), loop, this::onTick);
  }

  private void onTick() {
    if (state != State.RUNNING) {
      return;
    }
    ticks++;
    if (ticks % options.config().electionTicks() == 0) {
      // Health probes, once per election timeout: cheap next to the stall threshold (>= 10 s).
      loopBeat = scheduler.nanoTime();
      writer.probe(() -> writerBeat = scheduler.nanoTime());
      applier.probe(() -> applyBeat = scheduler.nanoTime());
    }
    core.tick();
    events.followerActivity(status.latest(), ticks, options.config().electionTicks());
    transfers.tick();
    expireRequests();
    sessionProposer.expire(ticks);
    scheduleProcess();
    scheduleTick();
  }

  private void scheduleProcess() {
    if (!processScheduled) {
      processScheduled = true;
      loop.execute(this::process);
    }
  }

  /** Takes the next Ready if the previous one is done, and hands it to the pipelines. */
  private void process() {
    processScheduled = false;
    if (state != State.RUNNING) {
      return;
    }
    publishStatus();
    transfers.update(status.latest());
    if (inFlight != null || !core.hasReady()) {
      return;
    }
    Ready ready = core.ready();
    inFlight = ready;
    membershipChanges.announce(ready.membership(), ready.membershipIndex());
    if (!ready.hasPersistentWork()) {
      afterPersist(ready, ready.messages(), ready.committed(), reads(ready.readStates()));
      return;
    }
    // Thesis §10.2.1: a leader replicates while its own write is in flight; the core counts the
    // leader's copy only after advance(). Everything else waits for the write.
    List<Message> later = new ArrayList<>(ready.messages().size());
    for (Message message : ready.messages()) {
      if (message instanceof Message.AppendRequest) {
        options.transport().send(message);
      } else {
        later.add(message);
      }
    }
    // Committed entries that earlier Readies wrote are durable here already (and on a quorum):
    // apply them now instead of after this Ready's fsync, which would add a whole sync to every
    // proposal's latency. Only those this Ready writes itself, or any after a snapshot it
    // installs, wait for the write.
    List<LogEntry> committed = ready.committed();
    int durable = ready.snapshot().isPresent() ? 0 : durablePrefix(committed, ready.entries());
    if (durable > 0) {
      applier.submit(committed.subList(0, durable), reads(ready.readStates()));
    }
    List<LogEntry> afterWrite = committed.subList(durable, committed.size());
    List<Applier.Read> readsAfterWrite = durable > 0 ? List.of() : reads(ready.readStates());
    writer.persist(
        ready,
        () -> loop.execute(() -> afterPersist(ready, later, afterWrite, readsAfterWrite)),
        e -> loop.execute(() -> fail("storage failed while persisting the log", e)));
  }

  /**
   * How many of {@code committed} precede the first entry {@code written} (all of them if none).
   */
  private static int durablePrefix(List<LogEntry> committed, List<LogEntry> written) {
    if (written.isEmpty()) {
      return committed.size();
    }
    long firstWritten = written.get(0).index();
    int n = 0;
    while (n < committed.size() && committed.get(n).index() < firstWritten) {
      n++;
    }
    return n;
  }

  private void afterPersist(
      Ready ready, List<Message> messages, List<LogEntry> committed, List<Applier.Read> reads) {
    if (state != State.RUNNING || inFlight != ready) {
      return;
    }
    for (Message message : messages) {
      options.transport().send(message);
    }
    if (ready.snapshot().isPresent()) {
      // Restored on the apply lane before any later committed entry is applied.
      snapshotIndex = Math.max(snapshotIndex, ready.snapshot().get().index());
      applier.restore(ready.snapshot().get());
    }
    applier.submit(committed, reads);
    core.advance(ready);
    inFlight = null;
    process();
  }

  private List<Applier.Read> reads(List<ReadState> states) {
    if (states.isEmpty()) {
      return List.of();
    }
    List<Applier.Read> ready = new ArrayList<>(states.size());
    for (ReadState readState : states) {
      PendingRead pending = reads.remove(readState.requestId());
      if (pending == null) {
        continue; // timed out already
      }
      if (readState.success()) {
        ready.add(new Applier.Read(readState.readIndex(), pending.request(), pending.future()));
      } else {
        pending
            .future()
            .completeExceptionally(new NotLeaderException(id, status.latest().leader()));
      }
    }
    return ready;
  }

  private void publishStatus() {
    RaftStatus previous = status.latest();
    RaftStatus next = status.publish(core.status());
    membershipChanges.update(next); // first: a leader that removed itself steps down as it commits
    uncommittedBytes = core.uncommittedBytes();
    if (readyCommitIndex < 0 && next.leader().isPresent()) {
      readyCommitIndex = next.commitIndex();
    }
    if (previous.role() == Role.LEADER && next.role() != Role.LEADER) {
      proposals.failAll(
          () ->
              new IndeterminateResultException(
                  "node "
                      + id
                      + " lost leadership before the proposal's outcome was known; it may or may"
                      + " not take effect"));
    }
    if (transfer != null) {
      if (next.leader().equals(Optional.of(transfer.target()))) {
        transfer.future().complete(null);
        transfer = null;
      } else if (next.role() != Role.LEADER && !next.leader().isEmpty()) {
        transfer
            .future()
            .completeExceptionally(
                new LeadershipTransferException(
                    "leadership moved to "
                        + next.leader().get()
                        + " instead of "
                        + transfer.target()));
        transfer = null;
      }
    }
  }

  private void expireRequests() {
    Iterator<Map.Entry<Long, PendingRead>> it = reads.entrySet().iterator();
    while (it.hasNext()) {
      PendingRead read = it.next().getValue();
      if (ticks >= read.deadlineTick()) {
        it.remove();
        read.future()
            .completeExceptionally(
                new RequestTimeoutException(
                    "node "
                        + id
                        + " could not confirm a read index in time; no leader reachable?"));
      }
    }
    // The core gives up after an election timeout and accepts proposals again; so does the caller.
    boolean aborted = core.status().role() == Role.LEADER && core.transferee().isEmpty();
    if (transfer != null && (aborted || ticks >= transfer.deadlineTick())) {
      transfer
          .future()
          .completeExceptionally(
              new LeadershipTransferException(
                  transfer.target() + " did not take over leadership within the election timeout"));
      transfer = null;
    }
  }

  private void fail(String what, Throwable cause) {
    if (state != State.RUNNING) {
      return;
    }
    log.error("node {} stops: {}", id, what, cause);
    failure = cause;
    state = State.FAILED;
    events.failed(what, cause);
    if (tickTimer != null) {
      tickTimer.cancel();
    }
    failEverything(
        () -> new StorageFailedException("node " + id + " stopped: " + what, cause),
        () -> new StorageFailedException("node " + id + " stopped: " + what, cause));
  }

  private void failEverything(
      java.util.function.Supplier<RaftException> failure,
      java.util.function.Supplier<RaftException> appendedFailure) {
    proposals.failAll(appendedFailure);
    membershipChanges.failAll(appendedFailure);
    forwarded.failAll(appendedFailure);
    for (PendingRead read : reads.values()) {
      read.future().completeExceptionally(failure.get());
    }
    reads.clear();
    if (applier != null) {
      applier.failReads(failure::get);
    }
    if (transfer != null) {
      transfer.future().completeExceptionally(failure.get());
      transfer = null;
    }
  }
}
