package io.jangada.raft.internal;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the leader's newest snapshot to one follower as {@link InstallSnapshot} chunks, with a
 * window of unacknowledged chunks driven by the follower's {@link InstallSnapshotResponse}s
 * (go-back-N: after a gap or a timeout the unacknowledged chunks are sent again from the offset the
 * follower acknowledged). The CRC32C of the whole snapshot travels in the last chunk. If the
 * follower lost its partial copy (it answers "start over from 0") the transfer restarts from the
 * beginning, a bounded number of times.
 *
 * <p>Thread: confined to the node's snapshot-transfer lane. Blocking: reads the snapshot from
 * storage. Errors: any failure ends the transfer with {@code delivered = false}.
 */
final class SnapshotSender {

  private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);
  private static final int MAX_RETRIES = 5;
  private static final int MAX_RESTARTS = 3;

  /** How a transfer ended. */
  @FunctionalInterface
  interface Outcome {
    /**
     * Delivered: the follower acknowledged every byte of the snapshot at {@code snapshotIndex} (0
     * if none was opened). Called at most once, on the lane.
     */
    void finished(NodeId peer, long session, boolean delivered, long snapshotIndex);
  }

  private record Chunk(long offset, Bytes data, boolean last, long checksum) {
    long end() {
      return offset + data.size();
    }
  }

  private final NodeId self;
  private final NodeId peer;
  private final long term;
  private final long session;
  private final SnapshotStorage storage;
  private final Transport transport;
  private final SnapshotPolicy policy;
  private final int timeoutTicks;
  private final Outcome outcome;

  private SnapshotMeta meta;
  private long size;
  private InputStream in;
  private CRC32C crc;
  // Bytes read from storage and sent at least once; bytes the follower acknowledged.
  private long readOffset;
  private long ackedOffset;
  private final ArrayDeque<Chunk> unacked = new ArrayDeque<>();
  private int ticksSinceProgress;
  private int retries;
  private int restarts;
  private boolean resentThisTick;
  private boolean ended;

  SnapshotSender(
      NodeId self,
      NodeId peer,
      long term,
      long session,
      SnapshotStorage storage,
      Transport transport,
      SnapshotPolicy policy,
      int timeoutTicks,
      Outcome outcome) {
    this.self = self;
    this.peer = peer;
    this.term = term;
    this.session = session;
    this.storage = storage;
    this.transport = transport;
    this.policy = policy;
    this.timeoutTicks = timeoutTicks;
    this.outcome = outcome;
  }

  /** Opens the newest snapshot and sends the first window of chunks. */
  void start() {
    try {
      Optional<SnapshotMeta> latest = storage.latest();
      if (latest.isEmpty()) {
        log.warn("{} has no snapshot to send to {}", self, peer);
        end(false);
        return;
      }
      meta = latest.get();
      size = storage.size(meta);
      log.info(
          "{} sends snapshot {}/{} ({} bytes) to {}", self, meta.index(), meta.term(), size, peer);
      openFromStart();
      sendMore();
    } catch (IOException | RuntimeException e) {
      log.warn("{} could not start sending a snapshot to {}", self, peer, e);
      end(false);
    }
  }

  void onResponse(InstallSnapshotResponse r) {
    if (ended || meta == null || r.snapshotIndex() != meta.index()) {
      return;
    }
    try {
      if (r.success()) {
        long next = Math.min(r.nextOffset(), readOffset);
        if (next > ackedOffset) {
          ackedOffset = next;
          ticksSinceProgress = 0;
          retries = 0;
        }
        while (!unacked.isEmpty() && unacked.peekFirst().end() <= ackedOffset) {
          unacked.removeFirst();
        }
        if (ackedOffset == size && readOffset == size && unacked.isEmpty()) {
          log.info("{} delivered snapshot {} to {}", self, meta.index(), peer);
          end(true);
          return;
        }
        sendMore();
      } else if (r.nextOffset() == 0 && ackedOffset > 0) {
        // The follower lost its partial copy (restart, new session): start over.
        if (++restarts > MAX_RESTARTS) {
          log.warn("{} gives up sending snapshot {} to {}", self, meta.index(), peer);
          end(false);
          return;
        }
        openFromStart();
        sendMore();
      } else if (r.nextOffset() >= ackedOffset && !resentThisTick) {
        // A chunk went missing: go back to the first unacknowledged one.
        resentThisTick = true;
        resendUnacked();
      }
    } catch (IOException | RuntimeException e) {
      log.warn("{} failed sending a snapshot to {}", self, peer, e);
      end(false);
    }
  }

  /** One node tick: resends after a silence, gives up after repeated silences. */
  void tick() {
    if (ended) {
      return;
    }
    resentThisTick = false;
    if (++ticksSinceProgress < timeoutTicks) {
      return;
    }
    ticksSinceProgress = 0;
    if (++retries > MAX_RETRIES) {
      log.warn("{}: {} stopped acknowledging snapshot chunks", self, peer);
      end(false);
      return;
    }
    resendUnacked();
  }

  /** Stops without reporting (leadership lost or the peer no longer needs it). */
  void cancel() {
    ended = true;
    closeStream();
  }

  private void openFromStart() throws IOException {
    closeStream();
    in = storage.open(meta);
    crc = new CRC32C();
    readOffset = 0;
    ackedOffset = 0;
    unacked.clear();
    ticksSinceProgress = 0;
  }

  private void sendMore() throws IOException {
    while (unacked.size() < policy.window() && (readOffset < size || (size == 0 && !sentLast()))) {
      int length = (int) Math.min(policy.chunkBytes(), size - readOffset);
      byte[] data = in.readNBytes(length);
      if (data.length != length) {
        throw new IOException(
            "snapshot " + meta.index() + " ended at " + (readOffset + data.length) + " of " + size);
      }
      crc.update(data);
      boolean last = readOffset + length == size;
      Chunk chunk = new Chunk(readOffset, Bytes.wrapUnsafe(data), last, last ? crc.getValue() : 0);
      readOffset += length;
      unacked.addLast(chunk);
      send(chunk);
      if (last) {
        closeStream();
        return;
      }
    }
  }

  private boolean sentLast() {
    return !unacked.isEmpty() && unacked.peekLast().last();
  }

  private void resendUnacked() {
    for (Chunk chunk : unacked) {
      send(chunk);
    }
  }

  private void send(Chunk chunk) {
    transport.send(
        new InstallSnapshot(
            self, peer, term, meta, chunk.offset(), chunk.data(), chunk.last(), chunk.checksum()));
  }

  private void end(boolean delivered) {
    if (!ended) {
      ended = true;
      closeStream();
      outcome.finished(peer, session, delivered, meta == null ? 0 : meta.index());
    }
  }

  private void closeStream() {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        log.debug("{}: closing a snapshot stream failed", self, e);
      }
      in = null;
    }
  }
}
