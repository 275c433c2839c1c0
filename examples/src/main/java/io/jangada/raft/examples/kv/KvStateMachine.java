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
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 *       the command bytes: no clock, no randomness, no I/O. Even session expiry is counted in log
 *       entries, never in wall-clock time, so every node expires the same sessions at the same
 *       index.
 *   <li><b>Never throw from apply.</b> An exception there stops the node. Malformed commands and
 *       failed conditions become {@link KvResult} values returned to the client.
 *   <li><b>Exactly-once with sessions.</b> A client may retry a command whose outcome it does not
 *       know (its leader crashed). Commands carrying a {@link ClientSession} are applied once; a
 *       retry returns the remembered result. The sessions live in the replicated state and in
 *       snapshots, so the deduplication survives restarts and leader changes.
 * </ol>
 *
 * <p>Sessions are bounded deterministically: a session is forgotten after {@code
 * sessionExpiryEntries} log entries without activity, and when there are more than {@code
 * maxSessions} the least recently active (lowest log index) is evicted first.
 *
 * <p>Snapshots: {@link #snapshot()} copies the maps on the apply thread (O(n), simple and obviously
 * correct; a persistent map would make it O(1)) and streams the copy later on any thread, in a
 * versioned format ending in a CRC32C checksum.
 *
 * <p>Thread: called only from the node's apply thread, like every {@link StateMachine}.
 */
public final class KvStateMachine implements StateMachine {

  /** Default bound on remembered client sessions. */
  public static final int DEFAULT_MAX_SESSIONS = 100_000;

  /** Default number of log entries after which an idle session is forgotten. */
  public static final long DEFAULT_SESSION_EXPIRY_ENTRIES = 10_000_000L;

  private static final int SNAPSHOT_MAGIC = 0x4a4b5653; // "JKVS"
  private static final byte SNAPSHOT_VERSION = 1;
  private static final int MAX_SNAPSHOT_FIELD_BYTES = 256 << 20;

  private final int maxSessions;
  private final long sessionExpiryEntries;
  private final Map<Bytes, Bytes> data = new HashMap<>();
  // Insertion order = order of last activity (each use re-inserts), so the eldest entry is always
  // the least recently active session: eviction and expiry look only at the head.
  private final LinkedHashMap<Bytes, Session> sessions = new LinkedHashMap<>();

  /** What the state machine remembers about one client. */
  private record Session(long requestId, long lastIndex, Bytes result) {}

  /** A state machine with the default session bounds. */
  public KvStateMachine() {
    this(DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_EXPIRY_ENTRIES);
  }

  /**
   * @param maxSessions most client sessions remembered, at least 1
   * @param sessionExpiryEntries log entries without activity after which a session is forgotten
   */
  public KvStateMachine(int maxSessions, long sessionExpiryEntries) {
    if (maxSessions < 1 || sessionExpiryEntries < 1) {
      throw new IllegalArgumentException("maxSessions and sessionExpiryEntries must be >= 1");
    }
    this.maxSessions = maxSessions;
    this.sessionExpiryEntries = sessionExpiryEntries;
  }

  @Override
  public Bytes apply(long index, Bytes command) {
    expireSessions(index);
    KvRequest request;
    try {
      request = KvCodec.decodeRequest(command);
    } catch (KvCodec.MalformedException e) {
      return KvCodec.encode(new KvResult.Error("malformed command: " + e.getMessage()));
    }
    if (request.session().isEmpty()) {
      return KvCodec.encode(execute(request.command()));
    }
    ClientSession session = request.session().get();
    Session known = sessions.get(session.clientId());
    if (known != null && session.requestId() == known.requestId()) {
      return known.result(); // a retry: answer as the first time, change nothing
    }
    if (known != null && session.requestId() < known.requestId()) {
      return KvCodec.encode(
          new KvResult.Error(
              "request "
                  + session.requestId()
                  + " is older than this client's latest request "
                  + known.requestId()));
    }
    Bytes result = KvCodec.encode(execute(request.command()));
    sessions.remove(session.clientId());
    sessions.put(session.clientId(), new Session(session.requestId(), index, result));
    if (sessions.size() > maxSessions) {
      Iterator<Bytes> eldest = sessions.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    return result;
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

  private void expireSessions(long index) {
    Iterator<Session> it = sessions.values().iterator();
    while (it.hasNext() && index - it.next().lastIndex() > sessionExpiryEntries) {
      it.remove();
    }
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
   * Snapshot format (version 1), big-endian: {@code "JKVS" | version | entryCount | (key, value)* |
   * sessionCount | (clientId, requestId, lastIndex, result)* | CRC32C of all preceding bytes}, each
   * byte string prefixed with its 4-byte length. Sessions are written least recent first.
   */
  @Override
  public SnapshotWriter snapshot() {
    // Capture on the apply thread: copies of the maps. Keys and values are immutable Bytes.
    List<Map.Entry<Bytes, Bytes>> entries = new ArrayList<>(data.entrySet().size());
    data.forEach((k, v) -> entries.add(Map.entry(k, v)));
    List<Map.Entry<Bytes, Session>> sessionCopy = new ArrayList<>(sessions.size());
    sessions.forEach((k, v) -> sessionCopy.add(Map.entry(k, v)));
    return out -> writeSnapshot(out, entries, sessionCopy);
  }

  private static void writeSnapshot(
      OutputStream target,
      List<Map.Entry<Bytes, Bytes>> entries,
      List<Map.Entry<Bytes, Session>> sessions)
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
    out.writeInt(sessions.size());
    for (Map.Entry<Bytes, Session> entry : sessions) {
      writeBytes(out, entry.getKey());
      out.writeLong(entry.getValue().requestId());
      out.writeLong(entry.getValue().lastIndex());
      writeBytes(out, entry.getValue().result());
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
    if (version != SNAPSHOT_VERSION) {
      throw new IOException("unknown key-value snapshot version " + version);
    }
    Map<Bytes, Bytes> newData = new HashMap<>();
    int entryCount = count(in);
    for (int i = 0; i < entryCount; i++) {
      newData.put(readBytes(in), readBytes(in));
    }
    LinkedHashMap<Bytes, Session> newSessions = new LinkedHashMap<>();
    int sessionCount = count(in);
    for (int i = 0; i < sessionCount; i++) {
      Bytes clientId = readBytes(in);
      newSessions.put(clientId, new Session(in.readLong(), in.readLong(), readBytes(in)));
    }
    long expected = checked.getChecksum().getValue(); // of every byte before the trailer
    long actual = in.readLong();
    if (actual != expected) {
      throw new IOException(
          "key-value snapshot at index " + meta.index() + " is corrupt (checksum mismatch)");
    }
    data.clear();
    data.putAll(newData);
    sessions.clear();
    sessions.putAll(newSessions);
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

  /** The number of remembered client sessions (for tests). */
  int sessionCount() {
    return sessions.size();
  }
}
