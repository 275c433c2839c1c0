package io.jangada.raft.core;

import io.jangada.raft.model.HardState;
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
 * One batch of work the core hands to its driver. The driver must, in this order:
 *
 * <ol>
 *   <li>If {@code snapshot} is present, install it (restore the state machine from the received
 *       snapshot and {@code LogStorage.reset} the log to it).
 *   <li>Persist {@code hardState} (if present) and append {@code entries} (an entry at index
 *       <i>i</i> replaces any stored suffix from <i>i</i>); {@code sync()} if {@code mustSync}.
 *   <li>Only then send {@code messages}. Exception (thesis §10.2.1): a leader's {@link
 *       Message.AppendRequest}s may be sent before its own write completes, because the leader
 *       counts its own copy of the entries only after {@link RaftCore#advance}.
 *   <li>Apply {@code committed} in order (may continue asynchronously, in order, after advance).
 *       Committed entries below the first of {@code entries} were persisted by earlier Readies, so
 *       (without a {@code snapshot}) they may be applied while this Ready's write is in flight; the
 *       rest only after it.
 *   <li>Serve {@code readStates} once the state machine has applied up to each read index.
 *   <li>Call {@link RaftCore#advance} with this Ready. The next Ready is available only after.
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
 * @param id identifies this Ready; {@code advance} rejects any other
 * @param membership the configuration in force
 * @param membershipIndex the index of the entry {@code membership} comes from (0: the configuration
 *     the node was opened with)
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
    Map<NodeId, Long> snapshotPeers) {

  public Ready {
    Objects.requireNonNull(hardState, "hardState");
    entries = List.copyOf(entries);
    Objects.requireNonNull(snapshot, "snapshot");
    messages = List.copyOf(messages);
    committed = List.copyOf(committed);
    readStates = List.copyOf(readStates);
    Objects.requireNonNull(membership, "membership");
    snapshotPeers =
        snapshotPeers.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(snapshotPeers));
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
        Map.of());
  }

  /** Whether there is anything to persist before sending messages. */
  public boolean hasPersistentWork() {
    return hardState.isPresent() || !entries.isEmpty() || snapshot.isPresent();
  }
}
