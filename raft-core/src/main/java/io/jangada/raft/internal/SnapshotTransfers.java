package io.jangada.raft.internal;

import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.transport.Transport;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Moves snapshot bytes for the loop (the core keeps the control protocol: terms, timers, progress
 * states). As leader: for every follower the core names in {@code Ready.snapshotPeers}, a {@link
 * SnapshotSender} streams the newest snapshot; a failed transfer is reported to the core ({@code
 * reportSnapshot(peer, false)}, back to probing, retried after a pause). A delivered one waits for
 * the follower's acknowledgement through the core; if none comes within a few election timeouts, it
 * is reported failed too, so nothing stays stuck. As follower: chunks go to a {@link
 * SnapshotReceiver}.
 *
 * <p>Thread: the public methods run on the loop lane; senders and the receiver run on their own
 * snapshot-transfer lane, so storage I/O never blocks the loop.
 */
final class SnapshotTransfers {

  /** A transfer the loop knows about; {@code deliveredAt} is the tick it was delivered, or -1. */
  private static final class Active {
    final long session;
    final long term;
    long deliveredAt = -1;
    long deliveredIndex;

    Active(long session, long term) {
      this.session = session;
      this.term = term;
    }
  }

  private final NodeId self;
  private final SnapshotStorage storage;
  private final Transport transport;
  private final SnapshotPolicy policy;
  private final int electionTicks;
  private final Executor loop;
  private final Executor lane;
  private final Consumer<NodeId> reportFailed;
  private final NodeEvents events;

  // Loop lane only.
  private final Map<NodeId, Active> active = new HashMap<>();
  private final Map<NodeId, Long> pausedUntil = new HashMap<>();
  private long sessions;
  private long ticks;

  // Transfer lane only.
  private final Map<NodeId, SnapshotSender> senders = new HashMap<>();
  private final SnapshotReceiver receiver;

  SnapshotTransfers(
      NodeId self,
      SnapshotStorage storage,
      Transport transport,
      SnapshotPolicy policy,
      int electionTicks,
      Executor loop,
      Executor lane,
      Consumer<NodeId> reportFailed,
      SnapshotCommits commits,
      Consumer<SnapshotMeta> stored,
      NodeEvents events) {
    this.self = self;
    this.storage = storage;
    this.transport = transport;
    this.policy = policy;
    this.electionTicks = electionTicks;
    this.loop = loop;
    this.lane = lane;
    this.reportFailed = reportFailed;
    this.events = events;
    this.receiver = new SnapshotReceiver(self, storage, commits, transport, stored);
  }

  /** Cancels every transfer once this node no longer leads. Loop lane; cheap when leading. */
  void roleChanged(boolean leading) {
    if (!leading && !active.isEmpty()) {
      active.clear();
      lane.execute(this::cancelAll);
    }
  }

  /**
   * Starts and stops senders to match the followers the leader's core says need a snapshot ({@code
   * Ready.snapshotPeers}: peer to match index) in {@code term}. Loop lane.
   */
  void update(long term, Map<NodeId, Long> needSnapshot) {
    if (!active.isEmpty()) {
      Iterator<Map.Entry<NodeId, Active>> it = active.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<NodeId, Active> e = it.next();
        Long match = needSnapshot.get(e.getKey());
        Active a = e.getValue();
        boolean installedButStillBehind =
            match != null && a.deliveredAt >= 0 && match >= a.deliveredIndex;
        if (match == null || a.term != term || installedButStillBehind) {
          // Done, moot, or the follower installed it while the log was compacted past it again:
          // in the last case a newer snapshot is started below right away.
          it.remove();
          NodeId id = e.getKey();
          lane.execute(() -> cancel(id));
        }
      }
    }
    for (NodeId peer : needSnapshot.keySet()) {
      if (!active.containsKey(peer) && ticks >= pausedUntil.getOrDefault(peer, 0L)) {
        start(peer, term);
      }
    }
  }

  /** A chunk from the leader of our current term. Loop lane. */
  void onChunk(InstallSnapshot chunk) {
    lane.execute(() -> receiver.onChunk(chunk));
  }

  /** A follower answered a chunk. Loop lane. */
  void onResponse(InstallSnapshotResponse response) {
    Active a = active.get(response.from());
    if (a == null || a.term != response.term()) {
      return;
    }
    lane.execute(
        () -> {
          SnapshotSender sender = senders.get(response.from());
          if (sender != null) {
            sender.onResponse(response);
          }
        });
  }

  /** One node tick. Loop lane. */
  void tick() {
    ticks++;
    if (active.isEmpty()) {
      return;
    }
    Iterator<Map.Entry<NodeId, Active>> it = active.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<NodeId, Active> e = it.next();
      long delivered = e.getValue().deliveredAt;
      if (delivered >= 0 && ticks - delivered >= 3L * electionTicks) {
        // Delivered, but the follower's acknowledgement never moved the core on: try again.
        it.remove();
        reportFailed.accept(e.getKey());
      }
    }
    lane.execute(() -> senders.values().forEach(SnapshotSender::tick));
  }

  /** Stops everything (node closing). Loop lane. */
  void stop() {
    active.clear();
    lane.execute(
        () -> {
          cancelAll();
          receiver.abort();
        });
  }

  private void start(NodeId peer, long term) {
    long session = ++sessions;
    active.put(peer, new Active(session, term));
    lane.execute(
        () -> {
          SnapshotSender old = senders.remove(peer);
          if (old != null) {
            old.cancel();
          }
          SnapshotSender sender =
              new SnapshotSender(
                  self,
                  peer,
                  term,
                  session,
                  storage,
                  transport,
                  policy,
                  electionTicks,
                  (p, s, delivered, index) -> loop.execute(() -> finished(p, s, delivered, index)));
          senders.put(peer, sender);
          sender.start();
        });
  }

  private void finished(NodeId peer, long session, boolean delivered, long index) {
    Active a = active.get(peer);
    if (a == null || a.session != session) {
      return;
    }
    if (delivered) {
      a.deliveredAt = ticks;
      a.deliveredIndex = index;
      events.snapshotSent(peer, index);
      return;
    }
    active.remove(peer);
    pausedUntil.put(peer, ticks + electionTicks);
    reportFailed.accept(peer);
  }

  private void cancel(NodeId peer) {
    SnapshotSender sender = senders.remove(peer);
    if (sender != null) {
      sender.cancel();
    }
  }

  private void cancelAll() {
    senders.values().forEach(SnapshotSender::cancel);
    senders.clear();
  }
}
