package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.LogReader;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The pure Raft algorithm (API stub; behaviour follows in later commits).
 *
 * <p>Not thread-safe: one thread at a time. Never blocks, never performs I/O.
 */
public final class RaftCore {

  private final NodeId id;
  private final Membership membership;
  private final LogReader log;
  private final HardState state;
  private final long applied;

  private RaftCore(NodeId id, Membership membership, LogReader log, HardState state, long applied) {
    this.id = id;
    this.membership = membership;
    this.log = log;
    this.state = state;
    this.applied = applied;
  }

  /** Opens a core over the given durable state. */
  public static RaftCore open(
      NodeId id,
      RaftConfig config,
      Membership membership,
      LogReader log,
      HardState state,
      long applied,
      RandomGenerator random) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(random, "random");
    return new RaftCore(
        Objects.requireNonNull(id, "id"),
        Objects.requireNonNull(membership, "membership"),
        Objects.requireNonNull(log, "log"),
        Objects.requireNonNull(state, "state"),
        applied);
  }

  /** One logical tick. */
  public void tick() {}

  /** Network input; never throws for bad input. */
  public void step(Message message) {
    Objects.requireNonNull(message, "message");
  }

  /** Proposes a command. */
  public ProposeResult propose(Bytes command) {
    Objects.requireNonNull(command, "command");
    return new ProposeResult.NotLeader(Optional.empty());
  }

  /** Starts an election now. */
  public void campaign() {}

  /** Transfers leadership to {@code target}. */
  public void transferLeadership(NodeId target) {
    Objects.requireNonNull(target, "target");
  }

  /** Requests a read index. */
  public void readIndex(long requestId) {}

  /** Requests a lease read. */
  public void leaseRead(long requestId) {}

  /** Reports a peer unreachable. */
  public void reportUnreachable(NodeId peer) {
    Objects.requireNonNull(peer, "peer");
  }

  /** Reports a snapshot outcome. */
  public void reportSnapshot(NodeId peer, boolean succeeded) {
    Objects.requireNonNull(peer, "peer");
  }

  /** Whether there is a Ready. */
  public boolean hasReady() {
    return false;
  }

  /** The next Ready. */
  public Ready ready() {
    throw new IllegalStateException("nothing ready");
  }

  /** Acknowledges a Ready. */
  public void advance(Ready handled) {
    Objects.requireNonNull(handled, "handled");
    throw new IllegalStateException("no Ready outstanding");
  }

  /** A status snapshot. */
  public RaftStatus status() {
    return new RaftStatus(
        id,
        Role.FOLLOWER,
        state.term(),
        Optional.empty(),
        state.commit(),
        applied,
        log.firstIndex(),
        log.lastIndex(),
        log.firstIndex() - 1,
        membership,
        Map.of());
  }

  @SuppressWarnings("unused")
  private static final List<Object> NONE = List.of();
}
