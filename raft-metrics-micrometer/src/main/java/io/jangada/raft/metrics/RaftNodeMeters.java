package io.jangada.raft.metrics;

import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftListener;
import io.jangada.raft.RaftMetrics;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.Role;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes one {@link RaftNode}'s state, events and timings to a Micrometer {@link MeterRegistry}
 * under stable names tagged {@code cluster} and {@code node} (the README lists every meter).
 *
 * <pre>{@code
 * RaftNodeMeters meters = RaftNodeMeters.bind(registry, node, "my-cluster");
 * ...
 * meters.close(); // unregisters the hooks and removes the meters
 * }</pre>
 *
 * <p>Gauges read {@link RaftNode#status()} when the registry is scraped; events and timings arrive
 * through a {@link RaftListener} and {@link RaftMetrics} hooks registered on the node. Per-follower
 * replication lag gauges ({@code jangada.replication.lag}, tagged {@code peer}) follow the
 * configuration in force: one for every other member (voter or learner) at {@link #bind} time, one
 * more for each member added later, and a removed member's gauge is removed from the registry.
 * Thread-safe.
 */
public final class RaftNodeMeters implements AutoCloseable {

  /** The common prefix of every meter name. */
  public static final String PREFIX = "jangada.";

  private final MeterRegistry registry;
  private final RaftNode node;
  private final Tags tags;
  // Guarded by itself, as are lagGauges and closed.
  private final List<Meter> meters = new ArrayList<>();
  private final Map<NodeId, Meter> lagGauges = new TreeMap<>();
  private boolean closed;
  private final Hooks hooks = new Hooks();

  private final Counter elections;
  private final Counter electionsWon;
  private final Counter leaderChanges;
  private final Counter snapshotsTaken;
  private final Counter snapshotsInstalled;
  private final Counter snapshotsSent;
  private final Counter failures;
  private final Timer proposeCommit;
  private final Timer logSync;
  private final DistributionSummary logSyncEntries;
  private final DistributionSummary logSyncBytes;
  private final Timer apply;
  private final Timer read;
  private final Timer snapshotWrite;
  private final Timer snapshotInstall;
  private final Map<ProposalDroppedException.Reason, Counter> dropped =
      new EnumMap<>(ProposalDroppedException.Reason.class);

  private RaftNodeMeters(MeterRegistry registry, RaftNode node, String clusterId) {
    this.registry = registry;
    this.node = node;
    this.tags = Tags.of("cluster", clusterId, "node", node.id().value());
    gauge("term", "The node's current term", s -> s.term());
    for (Role role : Role.values()) {
      meters.add(
          Gauge.builder(PREFIX + "role", node, n -> n.status().role() == role ? 1 : 0)
              .description("1 for the node's current role, 0 for the others")
              .tags(tags.and("role", role.name()))
              .register(registry));
    }
    gauge("commit.index", "Highest index known committed", s -> s.commitIndex());
    gauge("applied.index", "Highest index applied to the state machine", s -> s.appliedIndex());
    gauge("last.index", "Last index in the log", s -> s.lastIndex());
    gauge("snapshot.index", "Index of the newest snapshot", s -> s.snapshotIndex());
    gauge(
        "apply.lag", "Committed entries not applied yet", s -> s.commitIndex() - s.appliedIndex());
    meters.add(
        Gauge.builder(PREFIX + "uncommitted.bytes", node, RaftNode::uncommittedBytes)
            .description("Bytes of entries this leader appended that are not committed yet")
            .baseUnit("bytes")
            .tags(tags)
            .register(registry));
    followMembership(node.status().membership());
    elections = counter("elections", "Elections this node started (PreVote probes excluded)");
    electionsWon = counter("elections.won", "Elections this node won");
    leaderChanges = counter("leader.changes", "Changes of the leader this node knows");
    snapshotsTaken = counter("snapshots.taken", "Snapshots this node took");
    snapshotsInstalled = counter("snapshots.installed", "Snapshots received from the leader");
    snapshotsSent = counter("snapshots.sent", "Snapshots this leader delivered to followers");
    failures = counter("failures", "Storage or state-machine failures that stopped the node");
    for (ProposalDroppedException.Reason reason : ProposalDroppedException.Reason.values()) {
      Counter c =
          Counter.builder(PREFIX + "proposals.dropped")
              .description("Proposals refused without being appended")
              .tags(tags.and("reason", reason.name().toLowerCase(Locale.ROOT)))
              .register(registry);
      meters.add(c);
      dropped.put(reason, c);
    }
    proposeCommit = timer("propose.commit", "From propose to committed and applied here", true);
    logSync = timer("log.sync", "Append plus fsync of one log-writer batch", true);
    logSyncEntries = summary("log.sync.batch.entries", "Entries per log-writer batch", null);
    logSyncBytes = summary("log.sync.batch.bytes", "Bytes per log-writer batch", "bytes");
    apply = timer("apply", "Applying one batch of committed entries", true);
    read = timer("read", "Linearizable or lease read, from query to result", true);
    snapshotWrite = timer("snapshot.write", "Snapshot capture to durable", false);
    snapshotInstall =
        timer("snapshot.install", "State machine restore of a received snapshot", false);
  }

  /**
   * Registers {@code node}'s meters in {@code registry}, tagged with {@code clusterId} and the
   * node's id, and starts counting its events. Call once per node (a restarted node object needs a
   * new binding; close the old one first).
   */
  public static RaftNodeMeters bind(MeterRegistry registry, RaftNode node, String clusterId) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(clusterId, "clusterId");
    RaftNodeMeters meters = new RaftNodeMeters(registry, node, clusterId);
    node.addListener(meters.hooks);
    node.addMetrics(meters.hooks);
    return meters;
  }

  /** Stops counting and removes this node's meters from the registry. Idempotent. */
  @Override
  public void close() {
    node.removeListener(hooks);
    node.removeMetrics(hooks);
    synchronized (meters) {
      closed = true;
      meters.forEach(registry::remove);
      meters.clear();
      lagGauges.clear();
    }
  }

  /**
   * Keeps one replication lag gauge per member of {@code membership} other than this node: adds the
   * missing ones and removes those of nodes no longer members.
   */
  private void followMembership(Membership membership) {
    synchronized (meters) {
      if (closed) {
        return;
      }
      for (Iterator<Map.Entry<NodeId, Meter>> it = lagGauges.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<NodeId, Meter> e = it.next();
        if (!membership.contains(e.getKey())) {
          registry.remove(e.getValue());
          meters.remove(e.getValue());
          it.remove();
        }
      }
      for (NodeId peer : membership.members()) {
        if (!peer.equals(node.id()) && !lagGauges.containsKey(peer)) {
          Meter gauge =
              Gauge.builder(PREFIX + "replication.lag", node, n -> replicationLag(n, peer))
                  .description(
                      "Entries the follower lacks (leader's last index minus its match index);"
                          + " NaN when this node is not the leader")
                  .tags(tags.and("peer", peer.value()))
                  .register(registry);
          lagGauges.put(peer, gauge);
          meters.add(gauge);
        }
      }
    }
  }

  private static double replicationLag(RaftNode node, NodeId peer) {
    RaftStatus status = node.status();
    RaftStatus.PeerStatus progress = status.peers().get(peer);
    if (!status.isLeader() || progress == null) {
      return Double.NaN;
    }
    return Math.max(0, status.lastIndex() - progress.matchIndex());
  }

  private void gauge(String name, String description, ToDoubleFunction<RaftStatus> value) {
    meters.add(
        Gauge.builder(PREFIX + name, node, n -> value.applyAsDouble(n.status()))
            .description(description)
            .tags(tags)
            .register(registry));
  }

  private Counter counter(String name, String description) {
    Counter c =
        Counter.builder(PREFIX + name).description(description).tags(tags).register(registry);
    meters.add(c);
    return c;
  }

  private Timer timer(String name, String description, boolean histogram) {
    Timer t =
        Timer.builder(PREFIX + name)
            .description(description)
            .tags(tags)
            .publishPercentileHistogram(histogram)
            .register(registry);
    meters.add(t);
    return t;
  }

  private DistributionSummary summary(String name, String description, String unit) {
    DistributionSummary s =
        DistributionSummary.builder(PREFIX + name)
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .register(registry);
    meters.add(s);
    return s;
  }

  /** The listener and hooks registered on the node; kept private so the API stays small. */
  private final class Hooks implements RaftListener, RaftMetrics {

    @Override
    public void onElectionStarted(NodeId self, long term, boolean preVote) {
      if (!preVote) {
        elections.increment();
      }
    }

    @Override
    public void onElectionWon(NodeId self, long term) {
      electionsWon.increment();
    }

    @Override
    public void onLeaderChange(NodeId self, Optional<NodeId> leader, long term) {
      leaderChanges.increment();
    }

    @Override
    public void onMembershipChange(NodeId self, Membership membership, long index) {
      followMembership(membership);
    }

    @Override
    public void onSnapshotTaken(NodeId self, SnapshotMeta meta, long nanos) {
      snapshotsTaken.increment();
      snapshotWrite.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onSnapshotInstalled(NodeId self, SnapshotMeta meta, long nanos) {
      snapshotsInstalled.increment();
      snapshotInstall.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onSnapshotSent(NodeId self, NodeId peer, long snapshotIndex) {
      snapshotsSent.increment();
    }

    @Override
    public void onFailure(NodeId self, String what, Throwable cause) {
      failures.increment();
    }

    @Override
    public void proposalCommitted(NodeId self, long nanos) {
      proposeCommit.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void proposalDropped(NodeId self, ProposalDroppedException.Reason reason) {
      dropped.get(reason).increment();
    }

    @Override
    public void logSynced(NodeId self, long nanos, int entries, long bytes) {
      logSync.record(nanos, TimeUnit.NANOSECONDS);
      logSyncEntries.record(entries);
      logSyncBytes.record(bytes);
    }

    @Override
    public void applied(NodeId self, long nanos, int entries) {
      apply.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void readServed(NodeId self, long nanos) {
      read.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
