package io.jangada.raft.internal;

import io.jangada.raft.model.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The replicated client-session table (exactly-once commands, Ongaro's thesis §6.3). Every node
 * applies the same session entries in log order, so every node holds the same table: it is part of
 * the replicated state, stored in snapshots beside the state machine's ({@link SnapshotFormat}).
 *
 * <p>Rules, applied for each session entry:
 *
 * <ol>
 *   <li>The table's clock becomes the largest leader time stamped into any entry so far; sessions
 *       idle longer than the entry's timeout expire (only entry contents count: never a node's own
 *       clock, so every node expires the same sessions at the same entry).
 *   <li>{@code OPEN} creates a session whose client id is the entry's index, evicting the least
 *       recently active sessions beyond the entry's session limit. A named open (the entry's
 *       command bytes are the name) whose name belongs to a live session resumes that session
 *       instead: it returns the existing client id and counts as activity. A name is released with
 *       its session (closed, expired or evicted), so a later open of the name creates a new
 *       session.
 *   <li>{@code COMMAND} of an unknown session, or with a sequence below what the client already
 *       acknowledged, is rejected without running it; a sequence already applied returns the
 *       remembered result; otherwise the command runs and its result is kept until the client
 *       acknowledges it (a later entry's lowest unacknowledged sequence is above it). If the kept
 *       results exceed the entry's byte limit, the least recently active sessions are evicted.
 *   <li>{@code CLOSE} removes the session.
 * </ol>
 *
 * <p>Deterministic and not thread-safe: confined to the apply lane (or to one simulated node).
 */
public final class SessionTable {

  /** Per kept result: sequence number and length. */
  static final int RESULT_OVERHEAD_BYTES = 16;

  private static final int FORMAT_UNNAMED = 1;
  private static final int FORMAT = 2;

  /** What applying one session entry did. */
  public sealed interface Outcome {
    /** The command ran for the first time and returned {@code result}. */
    record Applied(Bytes result) implements Outcome {}

    /** A retry of a command that ran before: {@code result} is the remembered one. */
    record Duplicate(Bytes result) implements Outcome {}

    /** A session was opened with this id. */
    record Opened(long clientId) implements Outcome {}

    /** The session was closed (or did not exist). */
    record Closed(long clientId) implements Outcome {}

    /** The command was not run; its earlier attempts' outcome is unknown. */
    record Rejected(long clientId, long sequence, String reason) implements Outcome {}
  }

  private static final class Session {
    final long id;
    // The client-chosen name, or null for an unnamed session.
    Bytes name;
    long lastActive;
    // Every sequence below this was acknowledged by the client; its result is dropped.
    long acknowledgedBelow = 1;
    final TreeMap<Long, Bytes> results = new TreeMap<>();
    long bytes;

    Session(long id, long lastActive) {
      this.id = id;
      this.lastActive = lastActive;
    }
  }

  // Least recently active first: an entry touches its session (access order), and activity times
  // only grow, so this is also the order of lastActive.
  private final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
  // Name -> client id of the live named sessions (lookups only: never iterated).
  private final HashMap<Bytes, Long> names = new HashMap<>();
  private long now;
  private long cachedBytes;
  private long expired;
  private long evicted;

  /**
   * Applies one session entry at {@code index}; a command that must run is handed to {@code
   * machine}.
   */
  public Outcome apply(long index, SessionEntry entry, UnaryOperator<Bytes> machine) {
    now = Math.max(now, entry.stampMillis());
    expireIdle(entry.timeoutMillis());
    switch (entry.kind()) {
      case OPEN:
        // Only openSession(name) writes names, bounded there; a longer one (a foreign writer)
        // opens an unnamed session, alike on every node.
        Bytes name =
            entry.command().isEmpty() || entry.command().size() > SessionEntry.MAX_NAME_BYTES
                ? null
                : entry.command();
        if (name != null && names.containsKey(name)) {
          Session resumed = sessions.get(names.get(name)); // touches it: now the most recent
          resumed.lastActive = now;
          return new Outcome.Opened(resumed.id);
        }
        while (sessions.size() >= Math.max(1, entry.maxSessions())) {
          evictOldest();
        }
        Session opened = new Session(index, now);
        opened.name = name;
        sessions.put(index, opened);
        if (name != null) {
          names.put(name, index);
        }
        return new Outcome.Opened(index);
      case CLOSE:
        Session closed = sessions.remove(entry.clientId());
        if (closed != null) {
          forget(closed);
        }
        return new Outcome.Closed(entry.clientId());
      case COMMAND:
        return command(entry, machine);
      default:
        throw new AssertionError(entry.kind());
    }
  }

  private Outcome command(SessionEntry entry, UnaryOperator<Bytes> machine) {
    long seq = entry.sequence();
    Session s = sessions.get(entry.clientId());
    if (s == null) {
      return new Outcome.Rejected(
          entry.clientId(),
          seq,
          "session expired: the outcome of sequence "
              + seq
              + " is unknown (session "
              + entry.clientId()
              + " expired, was evicted or closed)");
    }
    s.lastActive = now;
    if (entry.lowestUnacknowledged() > s.acknowledgedBelow) {
      Map<Long, Bytes> acked = s.results.headMap(entry.lowestUnacknowledged());
      for (Bytes result : acked.values()) {
        long size = RESULT_OVERHEAD_BYTES + result.size();
        s.bytes -= size;
        cachedBytes -= size;
      }
      acked.clear();
      s.acknowledgedBelow = entry.lowestUnacknowledged();
    }
    Bytes remembered = s.results.get(seq);
    if (remembered != null) {
      return new Outcome.Duplicate(remembered);
    }
    if (seq < s.acknowledgedBelow) {
      return new Outcome.Rejected(
          entry.clientId(),
          seq,
          "session expired: the outcome of sequence "
              + seq
              + " is unknown (session "
              + entry.clientId()
              + " acknowledged it and its result was dropped)");
    }
    Bytes result = Objects.requireNonNull(machine.apply(entry.command()), "result");
    long size = RESULT_OVERHEAD_BYTES + result.size();
    s.results.put(seq, result);
    s.bytes += size;
    cachedBytes += size;
    while (cachedBytes > entry.maxCachedBytes() && !sessions.isEmpty()) {
      evictOldest();
    }
    return new Outcome.Applied(result);
  }

  private void expireIdle(long timeoutMillis) {
    Iterator<Session> it = sessions.values().iterator();
    while (it.hasNext()) {
      Session s = it.next();
      if (now - s.lastActive <= timeoutMillis) {
        return; // the rest were active later
      }
      it.remove();
      forget(s);
      expired++;
    }
  }

  private void evictOldest() {
    Iterator<Session> it = sessions.values().iterator();
    Session s = it.next();
    it.remove();
    forget(s);
    evicted++;
  }

  /** Releases what a removed session held: its results' bytes and its name. */
  private void forget(Session s) {
    cachedBytes -= s.bytes;
    if (s.name != null) {
      names.remove(s.name);
    }
  }

  /** The client id of the live session named {@code name}, if any. */
  public java.util.OptionalLong clientIdOf(String name) {
    Long id = names.get(Bytes.ofUtf8(name));
    return id == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(id);
  }

  /** Number of live sessions. */
  public int size() {
    return sessions.size();
  }

  /** Bytes of results kept (with a small overhead per result). */
  public long cachedBytes() {
    return cachedBytes;
  }

  /** Whether session {@code clientId} is live. */
  public boolean contains(long clientId) {
    return sessions.containsKey(clientId);
  }

  /** Sessions removed because they were idle too long, since this table was created. */
  public long expiredCount() {
    return expired;
  }

  /** Sessions removed to respect the limits, since this table was created. */
  public long evictedCount() {
    return evicted;
  }

  /** The live client ids, least recently active first. */
  public List<Long> clientIds() {
    return new ArrayList<>(sessions.keySet());
  }

  /** The whole table as bytes (for a snapshot); the table is unchanged. */
  public Bytes encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeLong(now);
      out.writeInt(sessions.size());
      for (Session s : sessions.values()) { // iteration does not reorder an access-ordered map
        out.writeLong(s.id);
        out.writeLong(s.lastActive);
        out.writeLong(s.acknowledgedBelow);
        out.writeInt(s.name == null ? -1 : s.name.size());
        if (s.name != null) {
          s.name.writeTo(out);
        }
        out.writeInt(s.results.size());
        for (Map.Entry<Long, Bytes> r : s.results.entrySet()) {
          out.writeLong(r.getKey());
          out.writeInt(r.getValue().size());
          r.getValue().writeTo(out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.wrapUnsafe(bytes.toByteArray());
  }

  /**
   * A table from {@link #encode()}'s bytes.
   *
   * @throws IOException if the bytes are not an encoded table
   */
  public static SessionTable decode(Bytes data) throws IOException {
    SessionTable table = new SessionTable();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data.toByteArray()))) {
      int format = in.readInt();
      if (format != FORMAT && format != FORMAT_UNNAMED) {
        throw new IOException("unknown session table format " + format);
      }
      table.now = in.readLong();
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        Session s = new Session(in.readLong(), in.readLong());
        s.acknowledgedBelow = in.readLong();
        if (format == FORMAT) {
          int nameLength = in.readInt();
          if (nameLength > SessionEntry.MAX_NAME_BYTES || nameLength < -1) {
            throw new IOException("corrupt session table: name of " + nameLength + " bytes");
          }
          if (nameLength >= 0) {
            byte[] name = new byte[nameLength];
            in.readFully(name);
            s.name = Bytes.wrapUnsafe(name);
            table.names.put(s.name, s.id);
          }
        }
        int results = in.readInt();
        for (int r = 0; r < results; r++) {
          long seq = in.readLong();
          int length = in.readInt();
          if (length < 0 || length > in.available()) {
            throw new IOException("corrupt session table: result of " + length + " bytes");
          }
          byte[] result = new byte[length];
          in.readFully(result);
          s.results.put(seq, Bytes.wrapUnsafe(result));
          s.bytes += RESULT_OVERHEAD_BYTES + length;
        }
        table.cachedBytes += s.bytes;
        table.sessions.put(s.id, s);
      }
      if (in.available() != 0) {
        throw new IOException("corrupt session table: " + in.available() + " trailing bytes");
      }
    } catch (java.io.EOFException e) {
      throw new IOException("corrupt session table: truncated", e);
    }
    return table;
  }
}
