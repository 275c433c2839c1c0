package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * InstallSnapshot in the simulation, as the driver does it: a leader whose core shows a peer in
 * state {@code snapshot} sends its newest stored snapshot as one chunk (last, CRC32C checksum)
 * through the faulty network, and reports a failure if no success came back within {@link
 * #TIMEOUT_TICKS}; a receiver checks the chunk, stores the snapshot durably and hands it to its
 * core with {@link RaftCore#installSnapshot}. Not thread-safe.
 */
final class SimSnapshotTransfers {

  static final int TIMEOUT_TICKS = 20;

  private final Map<NodeId, SimNode> nodes;
  private final SimNetwork net;
  private final Consumer<String> event;
  // Per leader instance, term and peer: the tick the snapshot was sent at.
  private final Map<String, Long> sending = new HashMap<>();
  // Planted leader bug for the checker self-test: the snapshot sent carries a wrong last entry.
  boolean plantCorruptSnapshots;
  long sent;
  long failed;

  SimSnapshotTransfers(Map<NodeId, SimNode> nodes, SimNetwork net, Consumer<String> event) {
    this.nodes = nodes;
    this.net = net;
    this.event = event;
  }

  /** Starts a transfer to every peer that needs one, and gives up on those that took too long. */
  void tick(long now) {
    for (SimNode node : nodes.values()) {
      if (!node.acceptsInput() || !node.snapshots.enabled()) {
        continue;
      }
      RaftStatus s = node.core().status();
      if (s.role() != Role.LEADER) {
        continue;
      }
      for (Map.Entry<NodeId, RaftStatus.PeerStatus> peer : s.peers().entrySet()) {
        String key = key(node, s.term(), peer.getKey());
        if (!peer.getValue().state().equals("snapshot")) {
          sending.remove(key);
          continue;
        }
        Long since = sending.get(key);
        if (since == null) {
          send(node, s.term(), peer.getKey(), now).ifPresent(meta -> sending.put(key, now));
        } else if (now - since > TIMEOUT_TICKS) {
          sending.remove(key);
          failed++;
          node.core().reportSnapshot(peer.getKey(), false);
          event.accept(node.id + " snapshot to " + peer.getKey() + " timed out");
        }
      }
    }
  }

  private Optional<SnapshotMeta> send(SimNode leader, long term, NodeId peer, long now) {
    Optional<SnapshotMeta> newest = leader.snapshots.latest();
    if (newest.isPresent()) {
      SnapshotMeta meta = newest.get();
      Bytes data = leader.snapshots.read(meta);
      if (plantCorruptSnapshots) {
        data = corrupt(data);
      }
      long checksum = SimSnapshots.checksum(data);
      int copies =
          net.send(new InstallSnapshot(leader.id, peer, term, meta, 0, data, true, checksum), now);
      sent++;
      event.accept(
          leader.id
              + " sends snapshot "
              + meta.index()
              + "/"
              + meta.term()
              + " to "
              + peer
              + (copies == 0 ? " (lost)" : ""));
    }
    return newest;
  }

  /** Called after {@code to}'s core stepped {@code m}. */
  void delivered(SimNode to, Message m, long now) {
    if (m instanceof InstallSnapshot s) {
      receive(to, s, now);
    } else if (m instanceof InstallSnapshotResponse r) {
      RaftStatus st = to.core().status();
      if (st.role() == Role.LEADER && r.term() == st.term()) {
        sending.remove(key(to, st.term(), r.from()));
        to.core().reportSnapshot(r.from(), r.success());
      }
    }
  }

  private void receive(SimNode to, InstallSnapshot s, long now) {
    RaftStatus st = to.core().status();
    if (s.term() != st.term() || st.role() == Role.LEADER) {
      return; // stale: the core already answered it
    }
    boolean ok = s.offset() == 0 && s.last() && SimSnapshots.checksum(s.data()) == s.checksum();
    if (ok) {
      to.snapshots.received++;
      long stored = to.snapshots.latest().map(SnapshotMeta::index).orElse(0L);
      if (s.meta().index() > stored && s.meta().index() > st.commitIndex()) {
        to.snapshots.store(s.meta(), s.data()); // durable before the core adopts it
      }
      boolean adopted = to.core().installSnapshot(s.meta());
      event.accept(to.id + " got snapshot " + s.meta().index() + ", adopted=" + adopted);
    }
    net.send(
        new InstallSnapshotResponse(
            to.id, s.from(), st.term(), s.meta().index(), ok ? s.data().size() : 0, ok),
        now);
  }

  private static Bytes corrupt(Bytes data) {
    List<LogEntry> entries = new ArrayList<>(SimSnapshots.entries(data));
    LogEntry last = entries.remove(entries.size() - 1);
    entries.add(LogEntry.command(last.index(), last.term(), Bytes.ofUtf8("corrupt")));
    return SimSnapshots.withSessions(
        SimSnapshots.open(data).sessions().encode(), SimSnapshots.encode(entries));
  }

  private static String key(SimNode node, long term, NodeId peer) {
    return node.id + "#" + node.restarts + "@" + term + ">" + peer;
  }
}
