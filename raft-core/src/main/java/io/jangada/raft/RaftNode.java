package io.jangada.raft;

import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.internal.NodeEvents;
import io.jangada.raft.internal.NodeLoop;
import io.jangada.raft.internal.NodeOptions;
import io.jangada.raft.internal.SnapshotPolicy;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.storage.StateStorage;
import io.jangada.raft.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.random.RandomGenerator;

/**
 * One member of a Raft cluster: the handle users embed. Build it with {@link #builder()}, {@link
 * #start()} it, then {@link #propose} commands and {@link #query} the replicated {@link
 * StateMachine}.
 *
 * <pre>{@code
 * RaftNode node = RaftNode.builder()
 *     .id(NodeId.of("n1"))
 *     .membership(Membership.ofVoters(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")))
 *     .stateMachine(myStateMachine)
 *     .logStorage(log).stateStorage(state).snapshotStorage(snapshots)
 *     .transport(transport)
 *     .build();
 * node.start().join();
 * Committed done = node.propose(Bytes.ofUtf8("set x 1")).join();
 * }</pre>
 *
 * <p>Threading: every method is thread-safe and non-blocking except {@link #close()}. One loop owns
 * the consensus core: its own thread, or, with the default {@link Scheduler} and while it is idle,
 * the transport thread that delivers a message or the log writer that finished a write runs the
 * loop's work itself instead of waking the loop's thread (never a caller of these methods); a
 * log-writer thread persists with one {@code sync()} per batch; an apply thread runs the state
 * machine; a snapshot thread writes snapshots and a transfer thread streams them to and from other
 * nodes (so neither blocks heartbeats nor applies). Returned futures complete on the callback
 * executor (default {@link ForkJoinPool#commonPool()}), never on the node's own threads, and
 * completing them from outside does not affect the node.
 *
 * <p>Failures arrive through the futures as {@link RaftException}s: {@link NotLeaderException},
 * {@link ProposalDroppedException}, {@link IndeterminateResultException}, {@link
 * NodeClosedException}, {@link StorageFailedException}, {@link StateMachineException}, {@link
 * LeadershipTransferException}, {@link RequestTimeoutException}, {@link SessionExpiredException}.
 * Only {@link IndeterminateResultException} means "may or may not take effect"; every other failure
 * of a proposal means it did not and will not take effect. A storage or state-machine failure is
 * fatal: the node stops serving (its {@link #status()} says {@link RaftStatus.State#FAILED}, with
 * the cause, role follower and no leader), sends nothing more so the others elect a new leader, and
 * fails every pending and later request fast; {@link #stopped()} tells its owner.
 */
public final class RaftNode implements AutoCloseable {

  private final NodeLoop loop;
  private final NodeId id;
  private final Executor callbacks;
  private final Duration closeHandover;
  // Nonces that let a node recognise its own open-session entries.
  private final java.security.SecureRandom nonces = new java.security.SecureRandom();
  private final NodeEvents events;

  private RaftNode(NodeOptions options) {
    this.loop = new NodeLoop(options);
    this.events = options.events();
    this.id = options.id();
    this.callbacks = options.callbackExecutor();
    this.closeHandover = options.closeHandover();
  }

  /**
   * A builder; {@code id}, {@code membership} (or {@link Builder#join()} for a node joining a
   * running cluster), {@code stateMachine}, storages and transport are required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** This node's id. */
  public NodeId id() {
    return id;
  }

  /**
   * Loads the persisted state (restoring the newest snapshot into the state machine, on the apply
   * thread), starts the transport and the timers. Completes when the node runs; fails if storage
   * cannot be read, the state machine cannot restore the snapshot, the transport cannot listen, or
   * the transport lists fixed peers that lack a member of the configuration (the node could never
   * reach it: {@link IllegalStateException} naming the members), leaving the node unusable (close
   * it). A node starts once: a second call, or one after {@link #close()}, fails with {@link
   * IllegalStateException}; to run a node again, build a new one on the same storage.
   */
  public CompletableFuture<Void> start() {
    return expose(loop.start());
  }

  /**
   * Replicates {@code command} and applies it. Completes after the entry is committed (durable on a
   * quorum including the leader) and applied on this node, with the state machine's result.
   *
   * <p>Fails with {@link NotLeaderException} (nothing appended; retry at the hint), {@link
   * ProposalDroppedException} (too large, backlog full, or leadership transfer; nothing appended),
   * {@link IndeterminateResultException} (leadership lost, or the node closed or failed, after
   * appending: may or may not take effect), {@link NodeClosedException} (the node is not started or
   * is closed; nothing appended), or {@link StorageFailedException} / {@link StateMachineException}
   * (this node stopped for good: a proposal made after that was not appended, send it to another
   * node; a proposal whose own {@link StateMachine#apply} threw fails with the {@link
   * StateMachineException}).
   */
  public CompletableFuture<Committed> propose(Bytes command) {
    Objects.requireNonNull(command, "command");
    return expose(loop.propose(command));
  }

  /**
   * Opens a client session for exactly-once commands and completes with its client id (the log
   * index of the open entry, so ids are never reused). On a follower the request is forwarded to
   * the leader (unless {@link Builder#forwardSessionProposals} is off) and completes once this node
   * applied it. A session lives until {@link #closeSession}, until it is idle longer than {@link
   * SessionLimits#timeout()}, or until the limits evict it.
   *
   * <p>Fails like {@link #propose(Bytes, SessionInfo)}; a failed open leaves at most an unused
   * session behind, which expires.
   */
  public CompletableFuture<Long> openSession() {
    long nonce = nonces.nextLong();
    return expose(
        loop.proposeSession(io.jangada.raft.internal.SessionEntry.open(nonce))
            .thenApply(c -> c.result().asReadOnlyByteBuffer().getLong()));
  }

  /**
   * Opens the client session named {@code name}, or resumes it if a live session has that name, and
   * completes with its client id. The name → client id mapping is part of the replicated session
   * table (in snapshots too), so a client that does not know its client id (another process, a
   * retry that reached another node, after a failover) finds the same session by name; two opens of
   * one name, on any nodes, yield one session. Resuming counts as activity. The name is released
   * when its session is closed, expires or is evicted: a later open of the name then creates a new
   * session, which has forgotten the old session's results.
   *
   * <p>A use: an idempotency key chosen by an end user names a session, and the request is sequence
   * 1 of it, so retries of the request to any node apply it at most once (until the session
   * expires). Forwarded from a follower and failing like {@link #openSession()}.
   *
   * @param name 1 to 256 UTF-8 bytes
   * @throws IllegalArgumentException if {@code name} is empty or too long
   */
  public CompletableFuture<Long> openSession(String name) {
    io.jangada.raft.internal.SessionEntry open =
        io.jangada.raft.internal.SessionEntry.openNamed(nonces.nextLong(), name);
    return expose(
        loop.proposeSession(open).thenApply(c -> c.result().asReadOnlyByteBuffer().getLong()));
  }

  /**
   * Replicates {@code command} as request {@code session.sequence()} of a client session and
   * applies it at most once: if that sequence was applied before (a retry), the state machine is
   * not called again and the future completes with the remembered result. The cluster keeps results
   * until {@code session.lowestUnacknowledged()} passes them, the session expires or is evicted.
   * Safe to retry (same sequence) after any failure, also on another node.
   *
   * <p>On a follower the request is forwarded to the leader (on by default, see {@link
   * Builder#forwardSessionProposals}); the future completes once this node applied the entry, with
   * the same result the leader's caller would get. Fails with {@link SessionExpiredException} if
   * the session is unknown (expired, evicted, closed) or the sequence's result was dropped: the
   * command was not applied by this entry and whether an earlier attempt was is unknown; with
   * {@link IndeterminateResultException} if leadership was lost or a forwarded request's outcome
   * did not arrive within the read timeout; otherwise as {@link #propose(Bytes)}.
   */
  public CompletableFuture<Committed> propose(Bytes command, SessionInfo session) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(session, "session");
    return expose(
        loop.proposeSession(
            io.jangada.raft.internal.SessionEntry.command(
                session.clientId(), session.sequence(), session.lowestUnacknowledged(), command)));
  }

  /**
   * Closes client session {@code clientId}, dropping its remembered results; later requests of it
   * fail with {@link SessionExpiredException}. Completes once applied on this node (forwarded from
   * a follower like {@link #openSession()}). Closing an unknown session succeeds.
   */
  public CompletableFuture<Void> closeSession(long clientId) {
    return expose(
        loop.proposeSession(io.jangada.raft.internal.SessionEntry.close(clientId))
            .thenApply(c -> (Void) null));
  }

  /** A linearizable read: {@code query(request, ReadConsistency.LINEARIZABLE)}. */
  public CompletableFuture<Bytes> query(Bytes request) {
    return query(request, ReadConsistency.LINEARIZABLE);
  }

  /**
   * Runs {@link StateMachine#query} with the given consistency. A linearizable read on a follower
   * asks the leader for a read index. Fails with {@link NotLeaderException} when leadership cannot
   * be confirmed, {@link RequestTimeoutException} when no answer comes within the read timeout,
   * {@link NodeClosedException} when the node is not started or is closed, the node's failure when
   * it stopped for good, and with whatever {@link StateMachine#query} throws (the node goes on).
   */
  public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(consistency, "consistency");
    return expose(loop.query(request, consistency));
  }

  /**
   * Hands leadership to {@code target} (thesis §3.10): this leader stops accepting proposals,
   * brings the target up to date and tells it to campaign. Completes when the target leads; fails
   * with {@link LeadershipTransferException} if it does not within an election timeout (this node
   * then accepts proposals again) or the target is not a voter, or with {@link NotLeaderException}
   * if this node is not the leader.
   */
  public CompletableFuture<Void> transferLeadership(NodeId target) {
    Objects.requireNonNull(target, "target");
    return expose(loop.transferLeadership(target));
  }

  /**
   * Changes the cluster's configuration to {@code target} (Raft thesis §4), if the configuration in
   * force is still the one at {@code expectedConfigIndex} ({@link RaftStatus#membershipIndex()}): a
   * compare-and-set, so two operators working from the same view cannot both apply a change. Only
   * the leader accepts, and only one change at a time (a second one is refused, never queued).
   * Changing at most one voter is a single-server change; changing more goes through a joint
   * configuration that the leader leaves by itself. A node becomes a voter only as a learner that
   * has caught up. Members carry their addresses ({@link Membership.Builder}), from which every
   * {@link Transport} that follows the configuration learns its peers.
   *
   * <p>Completes with the committed final configuration and its index once it is committed (a
   * leader that removed itself completes it, then steps down). Fails with {@link
   * NotLeaderException} (retry at the hint), {@link ConcurrentMembershipChangeException} (another
   * change is in flight, or {@code expectedConfigIndex} is stale), {@link
   * LearnerNotCaughtUpException}, {@link MembershipChangeException} (an invalid target, or the
   * leader is not ready: a new leader must first commit an entry of its term), or {@link
   * IndeterminateResultException} (leadership was lost after appending: read the configuration
   * again). Nothing was appended unless the failure is indeterminate.
   */
  public CompletableFuture<CommittedMembership> changeMembership(
      Membership target, long expectedConfigIndex) {
    Objects.requireNonNull(target, "target");
    return expose(loop.changeMembership(target, expectedConfigIndex));
  }

  /**
   * Adds {@code node} as a learner reachable at {@code address}: it receives the log but does not
   * vote, until {@link #promote}d. Start the node first in join mode ({@link Builder#join()}).
   * Fails as {@link #changeMembership}, and with {@link MembershipChangeException} ({@code
   * INVALID}) if it is a member already.
   */
  public CompletableFuture<CommittedMembership> addLearner(NodeId node, String address) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(address, "address");
    return expose(
        loop.changeMembership(
            current -> {
              if (current.contains(node)) {
                throw new MembershipChangeException(
                    MembershipChangeException.Reason.INVALID,
                    node + " is a member already: " + current.describe());
              }
              return current.withLearner(node, Optional.of(address));
            }));
  }

  /**
   * Makes the learner {@code node} a voter, once its log is close enough to the leader's. Fails as
   * {@link #changeMembership}: {@link LearnerNotCaughtUpException} if it lags, {@link
   * UnknownMemberException} if it is not a member, {@link MembershipChangeException} ({@code
   * INVALID}) if it is a voter already.
   */
  public CompletableFuture<CommittedMembership> promote(NodeId node) {
    Objects.requireNonNull(node, "node");
    return expose(
        loop.changeMembership(
            current -> {
              requireMember(current, node);
              if (current.isVoter(node)) {
                throw new MembershipChangeException(
                    MembershipChangeException.Reason.INVALID, node + " is a voter already");
              }
              return current.withPromoted(node);
            }));
  }

  /**
   * Removes the voter or learner {@code node}, possibly the leader itself (it leads until the
   * change commits, then hands over). Stop the removed node afterwards. Fails as {@link
   * #changeMembership}, and with {@link UnknownMemberException} if it is not a member.
   */
  public CompletableFuture<CommittedMembership> removeMember(NodeId node) {
    Objects.requireNonNull(node, "node");
    return expose(
        loop.changeMembership(
            current -> {
              requireMember(current, node);
              return current.without(node);
            }));
  }

  private static void requireMember(Membership current, NodeId node) {
    if (!current.contains(node)) {
      throw new UnknownMemberException(
          node, node + " is not a member of the configuration " + current.describe());
    }
  }

  /**
   * Takes a snapshot of the state machine now (after the last applied entry) and compacts the log
   * behind it, keeping {@link Builder#snapshotTrailingEntries} entries. Completes with the
   * snapshot's description once it is durable in the {@link SnapshotStorage}; if one is being
   * written already, with that one; if nothing was applied since the newest snapshot, with the
   * newest. Fails with {@link IllegalStateException} if nothing was applied yet, or with the
   * storage's error (not fatal for the node). Applies go on while the snapshot is written.
   */
  public CompletableFuture<SnapshotMeta> snapshot() {
    return expose(loop.snapshot());
  }

  /**
   * Completes with the leader's id (possibly this node's) as soon as this node knows a leader: at
   * once if it knows one now, otherwise when it learns of one. Use it after {@link #start()}
   * instead of polling {@link #status()}; it may be called before the start completes. Fails with
   * {@link RequestTimeoutException} if no leader is known within {@code timeout} (measured by the
   * node's {@link Scheduler}), or with the node's failure if it is closed or fails first.
   */
  public CompletableFuture<NodeId> awaitLeader(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return expose(loop.awaitLeader(timeout));
  }

  /**
   * Liveness and readiness, for health probes. Cheap; any thread; never blocks. A node is live
   * while it runs and its loop, log-writer and apply threads keep finishing work (none stuck for
   * more than max(10 s, 4 election timeouts)) and no storage or state-machine failure stopped it;
   * ready when it is live, knows a leader and has applied up to the leader's commit index as a read
   * index (ReadIndex) confirmed it after {@link #start()}: a restarted follower is not ready while
   * it catches up on what it missed, nor while it replays its log. The node asks for that read
   * index (one round to the leader) from the first call on, before or after {@code start()}, and is
   * not ready until the answer: call it once at start-up so that the first probe can say ready.
   */
  public RaftHealth health() {
    return loop.health();
  }

  /**
   * Adds a listener; it gets every event from now on, on the node's threads (see {@link
   * RaftListener}). Any thread.
   */
  public void addListener(RaftListener listener) {
    events.addListener(listener);
  }

  /** Removes a listener added here or by the builder; returns whether it was registered. */
  public boolean removeListener(RaftListener listener) {
    return events.removeListener(listener);
  }

  /** Adds metrics hooks (see {@link RaftMetrics}); they get every measurement from now on. */
  public void addMetrics(RaftMetrics metrics) {
    events.addMetrics(metrics);
  }

  /** Removes metrics hooks added here or by the builder; returns whether they were registered. */
  public boolean removeMetrics(RaftMetrics metrics) {
    return events.removeMetrics(metrics);
  }

  /**
   * Bytes of entries this leader appended that are not committed yet (the backlog bounded by {@code
   * RaftConfig.maxUncommittedBytes}); 0 when not leader. Cheap; any thread.
   */
  public long uncommittedBytes() {
    return loop.uncommittedBytes();
  }

  /** An immutable snapshot of this node's state. Cheap; any thread. */
  public RaftStatus status() {
    return loop.status();
  }

  /**
   * Completes when this node has stopped for good: with the {@link StorageFailedException} or
   * {@link StateMachineException} that stopped it (exceptionally), or normally once it is {@link
   * #close() closed}. An application that cannot do without this node, like the example server,
   * waits on it to exit.
   */
  public CompletableFuture<Void> stopped() {
    return expose(loop.stopped());
  }

  /**
   * Stops the node. A leader first hands leadership to its most up-to-date active voter and waits
   * for it to take over, for at most {@link Builder#closeHandover} (default one election timeout),
   * so that a rolling restart costs the cluster no election timeout; then new calls fail with
   * {@link NodeClosedException}, pending requests fail ({@link IndeterminateResultException} for
   * proposals that were written or sent, {@link NodeClosedException} for those that were not),
   * threads are released. Blocks until the handover and the node's threads finish. Does not close
   * the transport or the storages: the caller owns them and closes them afterwards. Idempotent.
   */
  @Override
  public void close() {
    close(closeHandover);
  }

  /**
   * {@link #close()}, but waiting at most {@code handover} for another node to take over
   * leadership; {@link Duration#ZERO} (or a negative duration) stops at once, as a crash would
   * (tests use it to kill a node).
   */
  public void close(Duration handover) {
    Objects.requireNonNull(handover, "handover");
    loop.close(handover);
  }

  private <T> CompletableFuture<T> expose(CompletableFuture<T> internal) {
    CompletableFuture<T> external = new CompletableFuture<>();
    internal.whenComplete(
        (value, error) ->
            callbacks.execute(
                () -> {
                  if (error != null) {
                    external.completeExceptionally(
                        error instanceof java.util.concurrent.CompletionException
                                && error.getCause() != null
                            ? error.getCause()
                            : error);
                  } else {
                    external.complete(value);
                  }
                }));
    return external;
  }

  @Override
  public String toString() {
    RaftStatus s = status();
    return "RaftNode[" + id + " " + s.role() + " term " + s.term() + "]";
  }

  /** Builds a {@link RaftNode}. Not thread-safe. */
  public static final class Builder {
    /** Default interval between ticks. */
    public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMillis(50);

    /** Default largest command accepted by {@link #propose}. */
    public static final int DEFAULT_MAX_PROPOSAL_BYTES = 1 << 20;

    private NodeId id;
    private Membership membership;
    private boolean join;
    private RaftConfig config = RaftConfig.builder().build();
    private StateMachine stateMachine;
    private LogStorage logStorage;
    private StateStorage stateStorage;
    private SnapshotStorage snapshotStorage;
    private Transport transport;
    private Duration tickInterval = DEFAULT_TICK_INTERVAL;
    private Scheduler scheduler;
    private RandomGenerator random;
    private final List<RaftListener> listeners = new ArrayList<>();
    private final List<RaftMetrics> metrics = new ArrayList<>();
    private Executor callbackExecutor = ForkJoinPool.commonPool();
    private int maxProposalBytes = DEFAULT_MAX_PROPOSAL_BYTES;
    private long snapshotThreshold = SnapshotPolicy.DEFAULT.threshold();
    private long snapshotThresholdBytes = SnapshotPolicy.DEFAULT.thresholdBytes();
    private long snapshotTrailingEntries = SnapshotPolicy.DEFAULT.trailingEntries();
    private int snapshotChunkBytes = SnapshotPolicy.DEFAULT.chunkBytes();
    private int snapshotWindow = SnapshotPolicy.DEFAULT.window();
    private double snapshotJitter = SnapshotPolicy.DEFAULT.jitter();
    private Duration closeHandover;
    private SessionLimits sessionLimits = SessionLimits.DEFAULT;
    private boolean forwardSessionProposals = true;

    private Builder() {}

    /** This node's id (required). It must be a member of {@link #membership}. */
    public Builder id(NodeId id) {
      this.id = id;
      return this;
    }

    /**
     * The initial cluster configuration (required). Used when neither a snapshot nor the log
     * records a configuration; every node of a new cluster must be given the same one.
     */
    public Builder membership(Membership membership) {
      this.membership = membership;
      return this;
    }

    /**
     * Join mode, instead of {@link #membership}: the node starts with an empty configuration, never
     * campaigns, and waits for a leader to contact it after an operator added it ({@link
     * RaftNode#addLearner}); it learns the configuration, and its transport its peers, from the
     * leader's log or snapshot. Its transport must accept senders it does not know yet (the default
     * of {@code GrpcTransport}). On a restart the configuration recorded in its storage is used, so
     * keep {@code join()} or give the membership, either works.
     */
    public Builder join() {
      this.join = true;
      return this;
    }

    /** Tuning of the consensus core; defaults to {@code RaftConfig.builder().build()}. */
    public Builder config(RaftConfig config) {
      this.config = config;
      return this;
    }

    /** The replicated state machine (required). */
    public Builder stateMachine(StateMachine stateMachine) {
      this.stateMachine = stateMachine;
      return this;
    }

    /** The durable log (required). */
    public Builder logStorage(LogStorage logStorage) {
      this.logStorage = logStorage;
      return this;
    }

    /** Where term, vote and commit are saved (required). */
    public Builder stateStorage(StateStorage stateStorage) {
      this.stateStorage = stateStorage;
      return this;
    }

    /** Where snapshots are kept; defaults to an in-memory store (lost on restart). */
    public Builder snapshotStorage(SnapshotStorage snapshotStorage) {
      this.snapshotStorage = snapshotStorage;
      return this;
    }

    /** The network (required). The node starts it; the caller closes it after the node. */
    public Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /**
     * Wall-clock length of one core tick (default 50 ms). The election timeout is {@code
     * config.electionTicks()} ticks.
     */
    public Builder tickInterval(Duration tickInterval) {
      this.tickInterval = tickInterval;
      return this;
    }

    /**
     * Threads and timers; defaults to a private {@link Scheduler#system()} closed with the node.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Randomness for election jitter; defaults to a {@link SplittableRandom}. */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /** Shorthand for {@code random(new SplittableRandom(seed))}. */
    public Builder seed(long seed) {
      return random(new SplittableRandom(seed));
    }

    /** Adds a listener of the node's events (repeatable; each gets every event). */
    public Builder listener(RaftListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Adds metrics hooks (repeatable); with none the node does not measure anything. */
    public Builder metrics(RaftMetrics metrics) {
      this.metrics.add(Objects.requireNonNull(metrics, "metrics"));
      return this;
    }

    /** Where futures complete; defaults to {@link ForkJoinPool#commonPool()}. */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = callbackExecutor;
      return this;
    }

    /** Largest command {@link #propose} accepts (default 1 MiB). */
    public Builder maxProposalBytes(int maxProposalBytes) {
      this.maxProposalBytes = maxProposalBytes;
      return this;
    }

    /**
     * Takes a snapshot automatically once this many entries were applied since the newest one
     * (default 100,000, lowered per node by up to {@link #snapshotJitter}); 0 turns this trigger
     * off. The state machine's capture runs on the apply thread; writing it to the {@link
     * SnapshotStorage} happens on a separate thread while applies go on, then the log is compacted.
     * With this and {@link #snapshotThresholdBytes} both 0 no snapshot is taken automatically
     * ({@link RaftNode#snapshot()} still works).
     */
    public Builder snapshotThreshold(long entries) {
      this.snapshotThreshold = entries;
      return this;
    }

    /**
     * Takes a snapshot automatically once entries of this many bytes in all (payload plus a small
     * fixed overhead per entry) were applied since the newest one (default 64 MiB), whichever of
     * this and {@link #snapshotThreshold} comes first; 0 turns this trigger off. Bounds the log on
     * disk when commands are large.
     */
    public Builder snapshotThresholdBytes(long bytes) {
      this.snapshotThresholdBytes = bytes;
      return this;
    }

    /**
     * How many entries before a snapshot's index stay in the log when it is compacted (default
     * 1,000), so that followers lagging by less than this catch up from the log instead of by a
     * snapshot transfer.
     */
    public Builder snapshotTrailingEntries(long entries) {
      this.snapshotTrailingEntries = entries;
      return this;
    }

    /**
     * Spreads the members' automatic snapshots apart (default 0.2): each node lowers {@link
     * #snapshotThreshold} and {@link #snapshotThresholdBytes} by up to this fraction of themselves,
     * by a share fixed by its id's rank among the members it starts with (the first member keeps
     * the exact thresholds, the others are spread evenly below them; a node that is not yet a
     * member takes a share mixed from its id). Without it every member reaches the threshold at the
     * same index and they capture and write their snapshots at the same moment, which stalls a
     * quorum at once when they share a disk or CPU. Deterministic (no clock or random); in [0, 1),
     * 0 keeps the thresholds exact on every node.
     */
    public Builder snapshotJitter(double fraction) {
      this.snapshotJitter = fraction;
      return this;
    }

    /** The size of one InstallSnapshot chunk sent to a lagging follower (default 1 MiB). */
    public Builder snapshotChunkBytes(int bytes) {
      this.snapshotChunkBytes = bytes;
      return this;
    }

    /** How many InstallSnapshot chunks may be unacknowledged at once (default 4). */
    public Builder snapshotWindow(int chunks) {
      this.snapshotWindow = chunks;
      return this;
    }

    /**
     * Bounds of the client-session table (default {@link SessionLimits#DEFAULT}). They apply to the
     * session entries this node appends as leader; every node follows the values in the entries.
     */
    public Builder sessionLimits(SessionLimits sessionLimits) {
      this.sessionLimits = sessionLimits;
      return this;
    }

    /**
     * Whether a follower forwards client-session requests ({@link RaftNode#openSession()}, {@link
     * RaftNode#propose(Bytes, SessionInfo)}, {@link RaftNode#closeSession}) to the leader (default
     * true); when off, it fails them with {@link NotLeaderException}. Plain {@link
     * RaftNode#propose(Bytes)} is never forwarded.
     */
    public Builder forwardSessionProposals(boolean forward) {
      this.forwardSessionProposals = forward;
      return this;
    }

    /**
     * How long {@link RaftNode#close()} on a leader waits for another voter to take over before it
     * stops (default: one election timeout, {@code config.electionTicks() × tickInterval}); {@link
     * Duration#ZERO} stops at once.
     */
    public Builder closeHandover(Duration closeHandover) {
      this.closeHandover = closeHandover;
      return this;
    }

    /**
     * @throws IllegalStateException naming what is missing or inconsistent
     */
    public RaftNode build() {
      require(id, "id");
      if (join && membership != null) {
        throw new IllegalStateException("RaftNode.Builder: give a membership or join(), not both");
      }
      Membership initial = join ? Membership.empty() : membership;
      if (initial == null) {
        throw new IllegalStateException(
            "RaftNode.Builder: membership is required (or join() for a node joining a running"
                + " cluster)");
      }
      require(stateMachine, "stateMachine");
      require(logStorage, "logStorage");
      require(stateStorage, "stateStorage");
      require(transport, "transport");
      require(config, "config");
      require(tickInterval, "tickInterval");
      require(sessionLimits, "sessionLimits");
      if (!join && !initial.contains(id)) {
        throw new IllegalStateException(
            "RaftNode.Builder: node "
                + id
                + " is not a member of the configured membership "
                + membership
                + "; list it there, or use join() instead of membership(...) for a node joining a"
                + " running cluster");
      }
      if (tickInterval.isNegative() || tickInterval.isZero()) {
        throw new IllegalStateException("tickInterval must be positive, got " + tickInterval);
      }
      if (closeHandover != null && closeHandover.isNegative()) {
        throw new IllegalStateException("closeHandover must not be negative, got " + closeHandover);
      }
      if (maxProposalBytes < 1) {
        throw new IllegalStateException("maxProposalBytes must be >= 1, got " + maxProposalBytes);
      }
      SnapshotPolicy snapshotPolicy;
      try {
        snapshotPolicy =
            new SnapshotPolicy(
                snapshotThreshold,
                snapshotThresholdBytes,
                snapshotTrailingEntries,
                snapshotChunkBytes,
                snapshotWindow,
                snapshotJitter);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("RaftNode.Builder: " + e.getMessage(), e);
      }
      boolean ownsScheduler = scheduler == null;
      return new RaftNode(
          new NodeOptions(
              id,
              initial,
              config,
              stateMachine,
              logStorage,
              stateStorage,
              snapshotStorage == null ? new InMemorySnapshotStorage() : snapshotStorage,
              transport,
              tickInterval,
              ownsScheduler ? Scheduler.system() : scheduler,
              ownsScheduler,
              random == null ? new SplittableRandom() : random,
              new NodeEvents(id, listeners, metrics),
              callbackExecutor,
              maxProposalBytes,
              4 * config.electionTicks(),
              snapshotPolicy,
              sessionLimits,
              forwardSessionProposals,
              closeHandover != null
                  ? closeHandover
                  : tickInterval.multipliedBy(config.electionTicks())));
    }

    private static void require(Object value, String name) {
      if (value == null) {
        throw new IllegalStateException("RaftNode.Builder: " + name + " is required");
      }
    }
  }
}
