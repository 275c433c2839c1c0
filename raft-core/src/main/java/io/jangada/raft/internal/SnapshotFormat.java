package io.jangada.raft.internal;

import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The library's section of a snapshot: the replicated session table, stored in front of the state
 * machine's own bytes, so users' snapshot code never sees it. Layout: the 8-byte magic {@code
 * JGDSESS1}, the table's length (int) and bytes ({@link SessionTable#encode()}), then whatever the
 * state machine's writer wrote. A snapshot that does not start with the magic (written before
 * sessions existed) is read as an empty table followed by the state machine's bytes.
 */
public final class SnapshotFormat {

  private static final byte[] MAGIC = "JGDSESS1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_TABLE_BYTES = Integer.MAX_VALUE - 64;

  /** A restored library section and the stream positioned at the state machine's bytes. */
  public record Opened(SessionTable sessions, InputStream stateMachineData) {}

  private SnapshotFormat() {}

  /** A writer that writes {@code sessions} (already captured) and then the user's state. */
  public static StateMachine.SnapshotWriter wrap(Bytes sessions, StateMachine.SnapshotWriter user) {
    return out -> {
      DataOutputStream data = new DataOutputStream(new NonClosing(out));
      data.write(MAGIC);
      data.writeInt(sessions.size());
      sessions.writeTo(data);
      data.flush();
      user.writeTo(out);
    };
  }

  /**
   * Reads the library section of a snapshot stream.
   *
   * @throws IOException if the section is damaged
   */
  public static Opened open(InputStream in) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
    buffered.mark(MAGIC.length);
    byte[] head = buffered.readNBytes(MAGIC.length);
    if (!Arrays.equals(head, MAGIC)) {
      buffered.reset();
      return new Opened(new SessionTable(), buffered);
    }
    DataInputStream data = new DataInputStream(buffered);
    int length = data.readInt();
    if (length < 0 || length > MAX_TABLE_BYTES) {
      throw new IOException("corrupt snapshot: session table of " + length + " bytes");
    }
    byte[] table = data.readNBytes(length);
    if (table.length != length) {
      throw new IOException("corrupt snapshot: session table truncated");
    }
    return new Opened(SessionTable.decode(Bytes.wrapUnsafe(table)), buffered);
  }

  /** Keeps the wrapping stream from closing the sink's stream. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
