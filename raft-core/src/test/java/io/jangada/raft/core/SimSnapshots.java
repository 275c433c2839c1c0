package io.jangada.raft.core;

import io.jangada.raft.internal.SessionTable;
import io.jangada.raft.internal.SnapshotFormat;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The snapshots of one simulated node. The recording state machine's state at index i is the list
 * of entries it applied up to i, so a snapshot's state-machine bytes are that list, behind the
 * library's session section ({@link SnapshotFormat}); restoring one rebuilds the recorded entries
 * and the register map, and takes the session table from the section. Snapshots live in an {@link
 * InMemorySnapshotStorage}, which survives a crash. Off unless {@link #every} is positive. Not
 * thread-safe.
 */
final class SimSnapshots {

  final InMemorySnapshotStorage storage = new InMemorySnapshotStorage();
  // Take a snapshot every `every` applied entries (0: never), keeping `trailing` entries behind it
  // in the log when compacting.
  int every;
  int trailing;
  long taken;
  long received;
  long adopted;

  boolean enabled() {
    return every > 0;
  }

  Optional<SnapshotMeta> latest() {
    return storage.latest();
  }

  /** The stored bytes of {@code meta}. */
  Bytes read(SnapshotMeta meta) {
    try (InputStream in = storage.open(meta)) {
      return Bytes.readFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stores a snapshot durably (the storage keeps the newest ones). */
  void store(SnapshotMeta meta, Bytes data) {
    try (SnapshotStorage.Sink sink = storage.create(meta)) {
      data.writeTo(sink.stream());
      sink.commit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Takes a snapshot of {@code node}'s state machine if {@link #every} entries were applied since
   * the newest one; returns its description.
   */
  Optional<SnapshotMeta> maybeTake(SimNode node, Membership membership) {
    long index = node.appliedIndex();
    long newest = latest().map(SnapshotMeta::index).orElse(0L);
    if (!enabled() || index - newest < every || node.applied.size() != index) {
      return Optional.empty();
    }
    LogEntry last = node.applied.get((int) index - 1);
    // The configuration in force at the snapshot: the newest applied configuration entry.
    Membership inForce = membership;
    long inForceIndex = 0;
    for (int i = node.applied.size() - 1; i >= 0; i--) {
      LogEntry e = node.applied.get(i);
      if (e.type() == io.jangada.raft.model.EntryType.MEMBERSHIP) {
        inForce = Membership.decode(e.data());
        inForceIndex = e.index();
        break;
      }
    }
    SnapshotMeta meta = new SnapshotMeta(index, last.term(), inForce, inForceIndex);
    Bytes sessions =
        node.bug() == SimNode.Bug.FORGET_SESSIONS_IN_SNAPSHOT
            ? new SessionTable().encode()
            : node.kv.sessions.encode();
    store(meta, withSessions(sessions, encode(node.applied)));
    taken++;
    return Optional.of(meta);
  }

  static long checksum(Bytes data) {
    CRC32C crc = new CRC32C();
    crc.update(data.asReadOnlyByteBuffer());
    return crc.getValue();
  }

  /** A snapshot as the library stores one: its session section, then the state machine's bytes. */
  static Bytes withSessions(Bytes sessions, Bytes stateMachine) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      SnapshotFormat.wrap(sessions, stateMachine::writeTo).writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.wrapUnsafe(out.toByteArray());
  }

  /** The library's section and the state machine's bytes of a stored snapshot. */
  static SnapshotFormat.Opened open(Bytes snapshot) {
    try {
      return SnapshotFormat.open(new java.io.ByteArrayInputStream(snapshot.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The state machine's part of a stored snapshot (the recorded entries). */
  static List<LogEntry> entries(Bytes snapshot) {
    try {
      return decode(Bytes.readFrom(open(snapshot).stateMachineData()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Bytes encode(List<LogEntry> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(entries.size());
      for (LogEntry e : entries) {
        out.writeLong(e.index());
        out.writeLong(e.term());
        out.writeUTF(e.type().name());
        out.writeInt(e.data().size());
        e.data().writeTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.wrapUnsafe(bytes.toByteArray());
  }

  static List<LogEntry> decode(Bytes data) {
    try (DataInputStream in =
        new DataInputStream(new java.io.ByteArrayInputStream(data.toByteArray()))) {
      int n = in.readInt();
      List<LogEntry> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long index = in.readLong();
        long term = in.readLong();
        EntryType type = EntryType.valueOf(in.readUTF());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        out.add(new LogEntry(index, term, type, Bytes.wrapUnsafe(body)));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
