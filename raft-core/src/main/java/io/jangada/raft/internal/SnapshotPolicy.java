package io.jangada.raft.internal;

import io.jangada.raft.model.NodeId;
import java.util.SortedSet;

/**
 * When a node takes snapshots and how it sends them.
 *
 * @param threshold take a snapshot automatically once this many entries were applied since the last
 *     one; 0 disables the entry count trigger
 * @param thresholdBytes take a snapshot automatically once entries of this many bytes in all (as
 *     {@link io.jangada.raft.model.LogEntry#sizeBytes()} counts them) were applied since the last
 *     one; 0 disables the byte trigger. With both triggers 0, only explicit snapshots are taken.
 * @param trailingEntries how many entries before the snapshot index stay in the log after
 *     compaction, so that slightly lagging followers catch up from the log
 * @param chunkBytes the size of one InstallSnapshot chunk
 * @param window how many chunks may be unacknowledged at once
 * @param jitter the largest fraction, in [0, 1), by which a node lowers both thresholds so that the
 *     members of a cluster do not all snapshot at the same index (see {@link #forNode}); 0 keeps
 *     the thresholds exact on every node
 */
public record SnapshotPolicy(
    long threshold,
    long thresholdBytes,
    long trailingEntries,
    int chunkBytes,
    int window,
    double jitter) {

  /**
   * Snapshot every 100,000 entries or 64 MiB of entries, whichever comes first, lowered by up to 20
   * % per node; keep 1,000 entries; 1 MiB chunks, 4 in flight.
   */
  public static final SnapshotPolicy DEFAULT =
      new SnapshotPolicy(100_000, 64L << 20, 1_000, 1 << 20, 4, 0.2);

  public SnapshotPolicy {
    if (threshold < 0) {
      throw new IllegalArgumentException("snapshot threshold must be >= 0, got " + threshold);
    }
    if (thresholdBytes < 0) {
      throw new IllegalArgumentException(
          "snapshot byte threshold must be >= 0, got " + thresholdBytes);
    }
    if (trailingEntries < 0) {
      throw new IllegalArgumentException(
          "snapshot trailing entries must be >= 0, got " + trailingEntries);
    }
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("snapshot chunk size must be >= 1, got " + chunkBytes);
    }
    if (window < 1) {
      throw new IllegalArgumentException("snapshot window must be >= 1, got " + window);
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("snapshot jitter must be in [0, 1), got " + jitter);
    }
  }

  /** A policy without jitter. */
  public SnapshotPolicy(
      long threshold, long thresholdBytes, long trailingEntries, int chunkBytes, int window) {
    this(threshold, thresholdBytes, trailingEntries, chunkBytes, window, 0);
  }

  /**
   * The policy node {@code id} applies: both thresholds lowered by {@code jitter × share} of
   * themselves (rounded down), and no further jitter. The share is {@code rank / n} when {@code id}
   * is the rank-th (from 0) of the n members in their sorted order, so the members of one
   * configuration are spread evenly over the jitter range and the first of them keeps the exact
   * thresholds; a node that is not a member (joining) takes a share in [0, 1) mixed from its id.
   * Deterministic: the same id and members give the same policy on every start, and no clock or
   * random is read. Since each node counts from its own newest snapshot, nodes whose thresholds
   * differ reach them at different indexes from the first snapshot on (the gap grows by the
   * difference each time, modulo the period), so their snapshot writes rarely coincide.
   */
  SnapshotPolicy forNode(NodeId id, SortedSet<NodeId> members) {
    if (jitter == 0) {
      return this;
    }
    double share;
    if (members.contains(id)) {
      share = (double) members.headSet(id).size() / members.size();
    } else {
      share = (mix(id.value().hashCode()) >>> 11) * 0x1.0p-53;
    }
    return new SnapshotPolicy(
        threshold - (long) (threshold * jitter * share),
        thresholdBytes - (long) (thresholdBytes * jitter * share),
        trailingEntries,
        chunkBytes,
        window,
        0);
  }

  /** A 64-bit finalizer (the MurmurHash3 fmix64 constants) spreading an id's hash. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /**
   * Whether {@code entries} entries of {@code bytes} bytes applied since the last snapshot call for
   * a new one.
   */
  boolean due(long entries, long bytes) {
    return (threshold > 0 && entries >= threshold)
        || (thresholdBytes > 0 && bytes >= thresholdBytes);
  }
}
