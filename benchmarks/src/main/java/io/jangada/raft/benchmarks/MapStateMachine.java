package io.jangada.raft.benchmarks;

import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.SnapshotMeta;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's state machine: an in-memory hash map of puts. A command is a 2-byte key length,
 * the key, then the value.
 */
final class MapStateMachine implements StateMachine {

  private final Map<Bytes, Bytes> map = new HashMap<>();

  static Bytes put(byte[] key, byte[] value) {
    byte[] command = new byte[2 + key.length + value.length];
    command[0] = (byte) (key.length >> 8);
    command[1] = (byte) key.length;
    System.arraycopy(key, 0, command, 2, key.length);
    System.arraycopy(value, 0, command, 2 + key.length, value.length);
    return Bytes.wrapUnsafe(command);
  }

  @Override
  public Bytes apply(long index, Bytes command) {
    int keyLength = ((command.byteAt(0) & 0xff) << 8) | (command.byteAt(1) & 0xff);
    map.put(command.slice(2, 2 + keyLength), command.slice(2 + keyLength, command.size()));
    return Bytes.EMPTY;
  }

  @Override
  public Bytes query(Bytes request) {
    return map.getOrDefault(request, Bytes.EMPTY);
  }

  @Override
  public SnapshotWriter snapshot() {
    // Capture: a flat copy of the entries (no rehashing), streamed later on the snapshot thread.
    List<Map.Entry<Bytes, Bytes>> copy = new ArrayList<>(map.size());
    map.forEach((k, v) -> copy.add(Map.entry(k, v)));
    return out -> {
      DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 64 * 1024));
      data.writeInt(copy.size());
      for (Map.Entry<Bytes, Bytes> e : copy) {
        data.writeInt(e.getKey().size());
        e.getKey().writeTo(data);
        data.writeInt(e.getValue().size());
        e.getValue().writeTo(data);
      }
      data.flush();
    };
  }

  @Override
  public void restore(SnapshotMeta meta, InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    map.clear();
    int size = data.readInt();
    for (int i = 0; i < size; i++) {
      byte[] key = new byte[data.readInt()];
      data.readFully(key);
      byte[] value = new byte[data.readInt()];
      data.readFully(value);
      map.put(Bytes.wrapUnsafe(key), Bytes.wrapUnsafe(value));
    }
  }
}
