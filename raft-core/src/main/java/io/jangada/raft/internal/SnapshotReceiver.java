package io.jangada.raft.internal;

import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's side of InstallSnapshot: writes the leader's chunks in order to a {@link
 * SnapshotStorage.Sink}, answers each with the offset it expects next, verifies the CRC32C carried
 * by the last chunk, commits the sink and reports the stored snapshot (the core then decides
 * whether to adopt it). Chunks out of order are answered with the expected offset (a duplicate as
 * success, a gap as failure) so the leader can go back; a chunk of an unknown transfer that does
 * not start at 0 is answered "start over from 0". A half-written snapshot is never committed.
 *
 * <p>Thread: confined to the node's snapshot-transfer lane. Blocking: writes to storage.
 */
final class SnapshotReceiver {

  private static final Logger log = LoggerFactory.getLogger(SnapshotReceiver.class);

  private final NodeId self;
  private final SnapshotStorage storage;
  private final SnapshotCommits commits;
  private final Transport transport;
  private final Consumer<SnapshotMeta> stored;

  // The transfer in progress, if any.
  private NodeId leader;
  private long term;
  private SnapshotMeta meta;
  private SnapshotStorage.Sink sink;
  private CRC32C crc;
  private long expected;

  // The last transfer completed: a late or repeated chunk of it is acknowledged as complete, so a
  // lost final acknowledgement does not make the leader send everything again.
  private InstallSnapshot lastCompleted;
  private long lastCompletedSize;

  SnapshotReceiver(
      NodeId self,
      SnapshotStorage storage,
      SnapshotCommits commits,
      Transport transport,
      Consumer<SnapshotMeta> stored) {
    this.self = self;
    this.storage = storage;
    this.commits = commits;
    this.transport = transport;
    this.stored = stored;
  }

  /** Handles one chunk from the current leader (the loop checked its term). */
  void onChunk(InstallSnapshot m) {
    boolean sameTransfer =
        sink != null && m.from().equals(leader) && m.term() == term && m.meta().equals(meta);
    if (!sameTransfer && isLastCompleted(m)) {
      respond(m, lastCompletedSize, true);
      if (m.offset() == 0 || m.last()) {
        // The leader retries although we have it: our core's acknowledgement was lost. Report it
        // again so the core acknowledges again (as stale, with its commit index).
        stored.accept(lastCompleted.meta());
      }
      return;
    }
    if (!sameTransfer) {
      if (m.offset() != 0) {
        respond(m, 0, false);
        return;
      }
      try {
        begin(m);
      } catch (IOException | RuntimeException e) {
        log.warn("{} cannot store the snapshot {} from {}", self, m.meta().index(), m.from(), e);
        abort();
        respond(m, 0, false);
        return;
      }
    }
    if (m.offset() < expected) {
      respond(m, expected, true); // a duplicate
      return;
    }
    if (m.offset() > expected) {
      respond(m, expected, false); // a gap: go back
      return;
    }
    try {
      m.data().writeTo(sink.stream());
      crc.update(m.data().asReadOnlyByteBuffer());
      expected += m.data().size();
      if (!m.last()) {
        respond(m, expected, true);
        return;
      }
      if (crc.getValue() != m.checksum()) {
        log.warn(
            "{}: snapshot {} from {} has a bad checksum ({} bytes); asking to start over",
            self,
            meta.index(),
            leader,
            expected);
        abort();
        respond(m, 0, false);
        return;
      }
      SnapshotMeta done = meta;
      if (commits.commitIfNewer(sink, done)) {
        log.info("{} stored snapshot {}/{} from {}", self, done.index(), done.term(), m.from());
      } else {
        // We hold a snapshot at least as new; the core will find this one stale and say so.
        sink.close();
      }
      sink = null;
      meta = null;
      lastCompleted = m;
      lastCompletedSize = expected;
      respond(m, expected, true);
      stored.accept(done);
    } catch (IOException | RuntimeException e) {
      log.warn("{} failed to write the snapshot {} from {}", self, m.meta().index(), m.from(), e);
      abort();
      respond(m, 0, false);
    }
  }

  /** Discards the transfer in progress (its sink is never committed). */
  void abort() {
    if (sink != null) {
      try {
        sink.close();
      } catch (IOException e) {
        log.debug("{}: aborting a snapshot sink failed", self, e);
      }
    }
    sink = null;
    meta = null;
    expected = 0;
  }

  private boolean isLastCompleted(InstallSnapshot m) {
    return lastCompleted != null
        && m.from().equals(lastCompleted.from())
        && m.term() == lastCompleted.term()
        && m.meta().equals(lastCompleted.meta());
  }

  private void begin(InstallSnapshot m) throws IOException {
    abort();
    sink = storage.create(m.meta());
    leader = m.from();
    term = m.term();
    meta = m.meta();
    crc = new CRC32C();
    expected = 0;
  }

  private void respond(InstallSnapshot m, long nextOffset, boolean success) {
    transport.send(
        new InstallSnapshotResponse(
            self, m.from(), m.term(), m.meta().index(), nextOffset, success));
  }
}
