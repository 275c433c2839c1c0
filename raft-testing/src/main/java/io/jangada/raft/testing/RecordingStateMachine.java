package io.jangada.raft.testing;

import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.SnapshotMeta;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A state machine for tests that records every command it applies, in order. {@link #apply} returns
 * the command's position (1-based, as decimal text); {@link #query} answers {@code "size"} with the
 * number of commands applied, {@code "last"} with the last command, and anything else with all
 * commands joined by commas. Snapshots hold the whole list.
 *
 * <p>Thread-safe for reading {@link #applied()} from a test thread while the node applies.
 */
public final class RecordingStateMachine implements StateMachine {

  private final List<Bytes> commands = new ArrayList<>();
  private final List<Long> indexes = new ArrayList<>();

  /** A state machine that has applied nothing yet. */
  public RecordingStateMachine() {}

  @Override
  public synchronized Bytes apply(long index, Bytes command) {
    commands.add(command);
    indexes.add(index);
    return Bytes.ofUtf8(Integer.toString(commands.size()));
  }

  @Override
  public synchronized Bytes query(Bytes request) {
    String q = request.toUtf8();
    if (q.equals("size")) {
      return Bytes.ofUtf8(Integer.toString(commands.size()));
    }
    if (q.equals("last")) {
      return commands.isEmpty() ? Bytes.EMPTY : commands.get(commands.size() - 1);
    }
    StringBuilder all = new StringBuilder();
    for (Bytes command : commands) {
      if (all.length() > 0) {
        all.append(',');
      }
      all.append(command.toUtf8());
    }
    return Bytes.ofUtf8(all.toString());
  }

  @Override
  public synchronized SnapshotWriter snapshot() {
    List<Bytes> copy = List.copyOf(commands);
    List<Long> copyIndexes = List.copyOf(indexes);
    return out -> {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(copy.size());
      for (int i = 0; i < copy.size(); i++) {
        data.writeLong(copyIndexes.get(i));
        data.writeInt(copy.get(i).size());
        copy.get(i).writeTo(data);
      }
      data.flush();
    };
  }

  @Override
  public synchronized void restore(SnapshotMeta meta, InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int size = data.readInt();
    commands.clear();
    indexes.clear();
    for (int i = 0; i < size; i++) {
      indexes.add(data.readLong());
      byte[] command = new byte[data.readInt()];
      data.readFully(command);
      commands.add(Bytes.wrapUnsafe(command));
    }
  }

  /** The commands applied so far, in order. */
  public synchronized List<Bytes> applied() {
    return List.copyOf(commands);
  }

  /** The log indexes of the commands applied so far, in order. */
  public synchronized List<Long> appliedIndexes() {
    return List.copyOf(indexes);
  }
}
