package io.jangada.raft.internal;

import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.IOException;

/**
 * Commits snapshot sinks one at a time and only if they are newer than the newest stored snapshot.
 * A node writes snapshots from two places (its own, taken on the snapshot lane, and the leader's,
 * received on the transfer lane); without this an older capture finishing after a newer received
 * snapshot would become the "latest" one, behind a log that was already reset past it.
 *
 * <p>Thread-safe: commits are serialized. Blocking: commits may block on storage I/O.
 */
final class SnapshotCommits {

  private final SnapshotStorage storage;

  SnapshotCommits(SnapshotStorage storage) {
    this.storage = storage;
  }

  /**
   * Commits {@code sink} if {@code meta} is newer than the newest stored snapshot; otherwise leaves
   * it uncommitted (the caller closes it).
   *
   * @return whether it was committed
   */
  synchronized boolean commitIfNewer(SnapshotStorage.Sink sink, SnapshotMeta meta)
      throws IOException {
    long newest = storage.latest().map(SnapshotMeta::index).orElse(0L);
    if (meta.index() <= newest) {
      return false;
    }
    sink.commit();
    return true;
  }
}
