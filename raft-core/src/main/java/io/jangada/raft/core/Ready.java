package io.jangada.raft.core;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.ImmutableArray;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One batch of work the core hands to its driver. Several Readys may be outstanding at once (etcd's
 * asynchronous storage writes): the driver may take the next one while earlier ones are still being
 * written, but it must write them strictly in the order of their ids and report each, in that
 * order, with {@link RaftCore#advance} once its write is durable. For each Ready the driver must,
 * in this order:
 *
 * <ol>
 *   <li>If {@code snapshot} is present, install it (restore the state machine from the received
 *       snapshot and {@code LogStorage.reset} the log to it).
 *   <li>Persist {@code hardState} (if present) and append {@code entries} (an entry at index
 *       <i>i</i> replaces any stored suffix from <i>i</i>); {@code sync()} if {@code mustSync}.
 *       This happens after the writes of every earlier Ready.
 *   <li>Only then send {@code messages}: they may promise anything this Ready or an earlier one
 *       writes (a follower's acknowledgement, a vote). Exception (thesis §10.2.1): the messages for
 *       which {@link #mayLeaveBeforeSync} holds (a leader's AppendRequests and Heartbeats, and only
 *       once the leader's term is durable) may be sent at once, because the leader counts its own
 *       copy of the entries only after {@link RaftCore#advance}.
 *   <li>Apply {@code committed} in order, after the committed entries of every earlier Ready. They
 *       may all lie in this Ready's or earlier Readys' writes: apply them once those are durable
 *       (if no earlier Ready is outstanding and there is no {@code snapshot}, the committed entries
 *       below the first of {@code entries} are durable already and may be applied at once).
 *   <li>Serve {@code readStates} once the state machine has applied up to each read index.
 *   <li>Call {@link RaftCore#advance} with this Ready once its write is durable: only then does the
 *       core treat its entries as stable (a leader counts its own copy towards commit) and its
 *       committed entries as applied.
 * </ol>
 *
 * <p>{@code membership} and {@code membershipIndex} report the configuration in force once this
 * Ready's entries are appended (thesis §4.1: a configuration takes effect when appended, not when
 * committed), for drivers and transports that follow the configuration; nothing needs doing with
 * them to honour the contract.
 *
 * <p>{@code snapshotPeers} (leader only) names the followers that need a snapshot, because the
 * entries they lack were compacted, with their match index: the driver streams its newest snapshot
 * to each and reports the outcome with {@link RaftCore#reportSnapshot}; a follower that no longer
 * appears here does not need one any more (it is a level, repeated in every Ready, not an event).
 *
 * @param id identifies this Ready; {@code advance} rejects any other than the oldest outstanding
 * @param membership the configuration in force
 * @param membershipIndex the index of the entry {@code membership} comes from (0: the configuration
 *     the node was opened with)
 * @param leaderTermDurable whether this Ready comes from a leader whose current term (and vote) was
 *     already durable when the Ready was built, so that its AppendRequests and Heartbeats may leave
 *     before any write completes ({@link #mayLeaveBeforeSync})
 */
public record Ready(
    long id,
    Optional<HardState> hardState,
    List<LogEntry> entries,
    Optional<SnapshotMeta> snapshot,
    List<Message> messages,
    List<LogEntry> committed,
    List<ReadState> readStates,
    boolean mustSync,
    Membership membership,
    long membershipIndex,
    Map<NodeId, Long> snapshotPeers,
    boolean leaderTermDurable) {

  public Ready {
    Objects.requireNonNull(hardState, "hardState");
    entries = ImmutableArray.copyOf(entries);
    Objects.requireNonNull(snapshot, "snapshot");
    messages = ImmutableArray.copyOf(messages);
    committed = ImmutableArray.copyOf(committed);
    readStates = ImmutableArray.copyOf(readStates);
    Objects.requireNonNull(membership, "membership");
    snapshotPeers =
        snapshotPeers.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(snapshotPeers));
  }

  /** A Ready whose messages all wait for its write ({@code leaderTermDurable} false). */
  public Ready(
      long id,
      Optional<HardState> hardState,
      List<LogEntry> entries,
      Optional<SnapshotMeta> snapshot,
      List<Message> messages,
      List<LogEntry> committed,
      List<ReadState> readStates,
      boolean mustSync,
      Membership membership,
      long membershipIndex,
      Map<NodeId, Long> snapshotPeers) {
    this(
        id,
        hardState,
        entries,
        snapshot,
        messages,
        committed,
        readStates,
        mustSync,
        membership,
        membershipIndex,
        snapshotPeers,
        false);
  }

  /** A Ready that names no follower needing a snapshot. */
  public Ready(
      long id,
      Optional<HardState> hardState,
      List<LogEntry> entries,
      Optional<SnapshotMeta> snapshot,
      List<Message> messages,
      List<LogEntry> committed,
      List<ReadState> readStates,
      boolean mustSync,
      Membership membership,
      long membershipIndex) {
    this(
        id,
        hardState,
        entries,
        snapshot,
        messages,
        committed,
        readStates,
        mustSync,
        membership,
        membershipIndex,
        Map.of(),
        false);
  }

  /** Whether there is anything to persist before sending messages. */
  public boolean hasPersistentWork() {
    return hardState.isPresent() || !entries.isEmpty() || snapshot.isPresent();
  }

  /**
   * Whether {@code message} (one of {@link #messages}) may be sent before this Ready's write, and
   * those of earlier outstanding Readys, are durable: a leader's AppendRequest or Heartbeat once
   * its term is durable. It promises nothing about this node's storage (thesis §10.2.1).
   */
  public boolean mayLeaveBeforeSync(Message message) {
    return leaderTermDurable
        && (message instanceof Message.AppendRequest || message instanceof Message.Heartbeat);
  }
}
