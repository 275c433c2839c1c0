package io.jangada.raft.core;

import io.jangada.raft.model.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node whose storage lost entries it had synced. Every entry up to a stored commit index was in
 * the synced log when that index was stored, so a log ending before it means the storage lost
 * synced entries (a cut tail, an old backup), which Raft's fault model excludes. Such a node may
 * have acknowledged, and counted towards commits, entries it no longer holds, so it must not help
 * elect a leader that lacks them (protocol-aware recovery, Alagappan et al., FAST 2018): it
 * abstains from voting and campaigning until a leader has refilled its log up to the stored commit
 * index.
 *
 * <p>The hard state never reports a commit index below the stored one, so the node keeps knowing
 * across restarts until it has caught up. Owned by one {@link RaftCore}; not thread-safe.
 *
 * <p>Known limit: the node knows only the stored commit index, not how far its lost log reached, so
 * it cannot tell which candidates are safe to vote for and abstains from every election. In a
 * configuration of two voters that includes it, the other voter can then never be elected: do not
 * shrink a cluster to two voters while a node is recovering this way (the simulation keeps three).
 */
final class LostTail {

  private static final Logger LOG = LoggerFactory.getLogger(LostTail.class);

  private final NodeId id;
  private final RaftLog log;
  private final long storedCommit;
  // Non-zero while the log ends before storedCommit.
  private long catchUpTo;

  LostTail(NodeId id, RaftLog log, long storedCommit) {
    this.id = id;
    this.log = log;
    this.storedCommit = storedCommit;
    long last = log.lastIndex();
    if (storedCommit > last) {
      catchUpTo = storedCommit;
      LOG.error(
          "{}: the log ends at {} but the commit index {} was stored: committed entries {}..{} that"
              + " this node had synced are lost. It will not vote or campaign until a leader has"
              + " sent them again",
          id,
          last,
          storedCommit,
          last + 1,
          storedCommit);
    }
  }

  /** The commit index stored when the node opened. */
  long storedCommit() {
    return storedCommit;
  }

  /** Whether the node lost synced entries and its log has not reached the stored commit again. */
  boolean catchingUp() {
    if (catchUpTo > 0 && log.lastIndex() >= catchUpTo) {
      LOG.warn(
          "{}: the log reaches the stored commit index {} again; voting resumes", id, catchUpTo);
      catchUpTo = 0;
    }
    return catchUpTo > 0;
  }
}
