package io.jangada.raft.internal;

import io.jangada.raft.SessionLimits;
import io.jangada.raft.model.Bytes;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The payload of a {@code EntryType.SESSION} log entry: a session operation, the leader's clock and
 * session limits at the time it appended the entry, and (for a command) the user's command.
 *
 * <p>Encoding (big-endian): version byte 1, kind byte, client id, sequence, lowest unacknowledged
 * sequence, leader time (ms), timeout (ms), max sessions (int), max cached bytes, then the
 * command's bytes. For {@link Kind#OPEN} the client id is 0 and the sequence carries the opener's
 * nonce, which lets a follower that forwarded the open recognize it when it applies it; the command
 * bytes of an open are the session's name (UTF-8), empty for an unnamed session.
 *
 * @param stampMillis the leader's clock when it appended the entry; 0 before it is stamped
 */
public record SessionEntry(
    Kind kind,
    long clientId,
    long sequence,
    long lowestUnacknowledged,
    long stampMillis,
    long timeoutMillis,
    int maxSessions,
    long maxCachedBytes,
    Bytes command) {

  /** The session operations. */
  public enum Kind {
    /**
     * Creates a session whose client id is the entry's log index; a named open whose name belongs
     * to a live session resumes that session instead.
     */
    OPEN,
    /** A command of a session. */
    COMMAND,
    /** Ends a session and drops its results. */
    CLOSE
  }

  private static final byte VERSION = 1;
  static final int HEADER_BYTES = 1 + 1 + 8 * 5 + 4 + 8;

  public SessionEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(command, "command");
  }

  /** An open request carrying {@code nonce}. */
  public static SessionEntry open(long nonce) {
    return new SessionEntry(Kind.OPEN, 0, nonce, 0, 0, 1, 1, 1, Bytes.EMPTY);
  }

  /** Longest session name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 256;

  /**
   * An open-or-resume request for the session named {@code name} (1 to {@link #MAX_NAME_BYTES}
   * UTF-8 bytes), carrying {@code nonce}.
   */
  public static SessionEntry openNamed(long nonce, String name) {
    Bytes bytes = Bytes.ofUtf8(Objects.requireNonNull(name, "name"));
    if (bytes.isEmpty() || bytes.size() > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "a session name must have 1 to " + MAX_NAME_BYTES + " UTF-8 bytes, got " + bytes.size());
    }
    return new SessionEntry(Kind.OPEN, 0, nonce, 0, 0, 1, 1, 1, bytes);
  }

  /** A command of session {@code clientId}. */
  public static SessionEntry command(
      long clientId, long sequence, long lowestUnacknowledged, Bytes command) {
    return new SessionEntry(
        Kind.COMMAND, clientId, sequence, lowestUnacknowledged, 0, 1, 1, 1, command);
  }

  /** A close request for session {@code clientId}. */
  public static SessionEntry close(long clientId) {
    return new SessionEntry(Kind.CLOSE, clientId, 0, 0, 0, 1, 1, 1, Bytes.EMPTY);
  }

  /** This entry as the leader appends it: stamped with its clock and its limits. */
  public SessionEntry stamped(long millis, SessionLimits limits) {
    return new SessionEntry(
        kind,
        clientId,
        sequence,
        lowestUnacknowledged,
        millis,
        limits.timeout().toMillis(),
        limits.maxSessions(),
        limits.maxCachedBytes(),
        command);
  }

  /** What identifies this request to a node waiting for it to be applied. */
  public Key key() {
    return new Key(kind, clientId, kind == Kind.CLOSE ? 0 : sequence);
  }

  /** Identifies a session request: kind, client id and sequence (the nonce for an open). */
  public record Key(Kind kind, long clientId, long sequence) {}

  public Bytes encode() {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + command.size());
    buf.put(VERSION)
        .put((byte) kind.ordinal())
        .putLong(clientId)
        .putLong(sequence)
        .putLong(lowestUnacknowledged)
        .putLong(stampMillis)
        .putLong(timeoutMillis)
        .putInt(maxSessions)
        .putLong(maxCachedBytes);
    buf.put(command.asReadOnlyByteBuffer());
    return Bytes.wrapUnsafe(buf.array());
  }

  /**
   * Decodes an entry's data.
   *
   * @throws IllegalArgumentException if it is not a session entry of a known version
   */
  public static SessionEntry decode(Bytes data) {
    if (data.size() < HEADER_BYTES) {
      throw new IllegalArgumentException("session entry of " + data.size() + " bytes is too short");
    }
    ByteBuffer buf = data.asReadOnlyByteBuffer();
    byte version = buf.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown session entry version " + version);
    }
    int kind = buf.get();
    if (kind < 0 || kind >= Kind.values().length) {
      throw new IllegalArgumentException("unknown session entry kind " + kind);
    }
    long clientId = buf.getLong();
    long sequence = buf.getLong();
    long lowest = buf.getLong();
    long stamp = buf.getLong();
    long timeout = buf.getLong();
    int maxSessions = buf.getInt();
    long maxBytes = buf.getLong();
    return new SessionEntry(
        Kind.values()[kind],
        clientId,
        sequence,
        lowest,
        stamp,
        timeout,
        maxSessions,
        maxBytes,
        data.slice(HEADER_BYTES, data.size()));
  }
}
