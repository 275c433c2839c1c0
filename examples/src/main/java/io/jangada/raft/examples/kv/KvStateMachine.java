package io.jangada.raft.examples.kv;

import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.SnapshotMeta;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A replicated key-value map: the tutorial for "implement your {@link StateMachine}".
 *
 * <p>Three rules make a state machine correct under Raft, and this class shows each:
 *
 * <ol>
 *   <li><b>Deterministic.</b> {@link #apply} depends only on the current state, the log index and
 *       the command bytes: no clock, no randomness, no I/O.
 *   <li><b>Never throw from apply.</b> An exception there stops the node. Malformed commands and
 *       failed conditions become {@link KvResult} values returned to the client.
 *   <li><b>Exactly-once is the library's job.</b> A client may retry a command whose outcome it
 *       does not know (its leader crashed). The HTTP server proposes every write in a library
 *       client session ({@code RaftNode.propose(Bytes, SessionInfo)}; an {@code Idempotency-Key}
 *       names a session, see {@code KvHttpServer}), and the library applies each session request at
 *       most once, answering retries with the remembered result. Its session table is kept in
 *       snapshots beside this class's bytes, so this class needs no session code at all.
 * </ol>
 *
 * <p>Snapshots: {@link #snapshot()} copies the map on the apply thread (O(n), simple and obviously
 * correct; a persistent map would make it O(1)) and streams the copy later on any thread, in a
 * versioned format ending in a CRC32C checksum.
 *
 * <p>Thread: called only from the node's apply thread, like every {@link StateMachine}.
 */
public final class KvStateMachine implements StateMachine {

  private static final int SNAPSHOT_MAGIC = 0x4a4b5653; // "JKVS"
  // Version 1 also held this class's own client sessions (before the library had them); it is
  // still read, its sessions skipped.
  private static final byte SNAPSHOT_VERSION_WITH_SESSIONS = 1;
  private static final byte SNAPSHOT_VERSION = 2;
  private static final int MAX_SNAPSHOT_FIELD_BYTES = 256 << 20;

  private final Map<Bytes, Bytes> data = new HashMap<>();

  /** An empty map. */
  public KvStateMachine() {}

  @Override
  public Bytes apply(long index, Bytes command) {
    KvCommand decoded;
    try {
      decoded = KvCodec.decodeCommand(command);
    } catch (KvCodec.MalformedException e) {
      return KvCodec.encode(new KvResult.Error("malformed command: " + e.getMessage()));
    }
    return KvCodec.encode(execute(decoded));
  }

  private KvResult execute(KvCommand command) {
    if (command instanceof KvCommand.Put put) {
      data.put(put.key(), put.value());
      return new KvResult.Ok();
    } else if (command instanceof KvCommand.Delete delete) {
      return data.remove(delete.key()) != null ? new KvResult.Ok() : new KvResult.NotFound();
    } else if (command instanceof KvCommand.Cas cas) {
      Optional<Bytes> current = Optional.ofNullable(data.get(cas.key()));
      if (!current.equals(cas.expected())) {
        return new KvResult.ConditionFailed(current);
      }
      data.put(cas.key(), cas.value());
      return new KvResult.Ok();
    }
    throw new AssertionError(command);
  }

  @Override
  public Bytes query(Bytes request) {
    KvQuery query;
    try {
      query = KvCodec.decodeQuery(request);
    } catch (KvCodec.MalformedException e) {
      return KvCodec.encode(new KvResult.Error("malformed query: " + e.getMessage()));
    }
    if (!(query instanceof KvQuery.Get get)) {
      throw new AssertionError(query);
    }
    Bytes value = data.get(get.key());
    return KvCodec.encode(value == null ? new KvResult.NotFound() : new KvResult.Value(value));
  }

  /**
   * Snapshot format (version 2), big-endian: {@code "JKVS" | version | entryCount | (key, value)* |
   * CRC32C of all preceding bytes}, each byte string prefixed with its 4-byte length. Version 1 had
   * {@code sessionCount | (clientId, requestId, lastIndex, result)*} before the checksum.
   */
  @Override
  public SnapshotWriter snapshot() {
    // Capture on the apply thread: a copy of the map. Keys and values are immutable Bytes.
    List<Map.Entry<Bytes, Bytes>> entries = new ArrayList<>(data.entrySet().size());
    data.forEach((k, v) -> entries.add(Map.entry(k, v)));
    return out -> writeSnapshot(out, entries);
  }

  private static void writeSnapshot(OutputStream target, List<Map.Entry<Bytes, Bytes>> entries)
      throws IOException {
    // DataOutputStream does not buffer, so the checksum sees exactly the bytes written so far.
    CheckedOutputStream checked =
        new CheckedOutputStream(new BufferedOutputStream(target, 65536), new CRC32C());
    DataOutputStream out = new DataOutputStream(checked);
    out.writeInt(SNAPSHOT_MAGIC);
    out.writeByte(SNAPSHOT_VERSION);
    out.writeInt(entries.size());
    for (Map.Entry<Bytes, Bytes> entry : entries) {
      writeBytes(out, entry.getKey());
      writeBytes(out, entry.getValue());
    }
    out.writeLong(checked.getChecksum().getValue());
    out.flush(); // flushes the buffer; the caller closes the target
  }

  @Override
  public void restore(SnapshotMeta meta, InputStream source) throws IOException {
    CheckedInputStream checked =
        new CheckedInputStream(new BufferedInputStream(source, 65536), new CRC32C());
    DataInputStream in = new DataInputStream(checked);
    if (in.readInt() != SNAPSHOT_MAGIC) {
      throw new IOException("not a key-value snapshot (bad magic) at index " + meta.index());
    }
    byte version = in.readByte();
    if (version != SNAPSHOT_VERSION && version != SNAPSHOT_VERSION_WITH_SESSIONS) {
      throw new IOException("unknown key-value snapshot version " + version);
    }
    Map<Bytes, Bytes> newData = new HashMap<>();
    int entryCount = count(in);
    for (int i = 0; i < entryCount; i++) {
      newData.put(readBytes(in), readBytes(in));
    }
    if (version == SNAPSHOT_VERSION_WITH_SESSIONS) {
      int sessionCount = count(in);
      for (int i = 0; i < sessionCount; i++) {
        readBytes(in); // client id
        in.readLong(); // request id
        in.readLong(); // last index
        readBytes(in); // result
      }
    }
    long expected = checked.getChecksum().getValue(); // of every byte before the trailer
    long actual = in.readLong();
    if (actual != expected) {
      throw new IOException(
          "key-value snapshot at index " + meta.index() + " is corrupt (checksum mismatch)");
    }
    data.clear();
    data.putAll(newData);
  }

  private static int count(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0) {
      throw new IOException("corrupt key-value snapshot: negative count " + count);
    }
    return count;
  }

  private static void writeBytes(DataOutputStream out, Bytes value) throws IOException {
    out.writeInt(value.size());
    value.writeTo(out);
  }

  private static Bytes readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_SNAPSHOT_FIELD_BYTES) {
      throw new IOException("corrupt key-value snapshot: bad length " + length);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes); // EOFException if the snapshot is truncated
    return Bytes.wrapUnsafe(bytes);
  }

  /** The number of keys (for tests and status). */
  int size() {
    return data.size();
  }
}
