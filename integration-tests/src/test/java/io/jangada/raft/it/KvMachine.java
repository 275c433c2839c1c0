package io.jangada.raft.it;

import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.SnapshotMeta;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tiny key-value state machine with text commands: {@code P key value} (put → {@code ok}), {@code
 * C key expected update} (compare-and-set → {@code applied} or {@code rejected}), {@code I key}
 * (increment a counter → its new value; not idempotent, so a twice-applied command shows); queries
 * {@code G key} (the value, or empty if absent).
 */
final class KvMachine implements StateMachine {

  private final TreeMap<String, String> map = new TreeMap<>();

  @Override
  public synchronized Bytes apply(long index, Bytes command) {
    String[] parts = command.toUtf8().split(" ");
    if (parts[0].equals("P")) {
      map.put(parts[1], parts[2]);
      return Bytes.ofUtf8("ok");
    }
    if (parts[0].equals("C")) {
      if (parts[2].equals(map.get(parts[1]))) {
        map.put(parts[1], parts[3]);
        return Bytes.ofUtf8("applied");
      }
      return Bytes.ofUtf8("rejected");
    }
    if (parts[0].equals("I")) {
      String next = Long.toString(Long.parseLong(map.getOrDefault(parts[1], "0")) + 1);
      map.put(parts[1], next);
      return Bytes.ofUtf8(next);
    }
    return Bytes.ofUtf8("unknown command");
  }

  @Override
  public synchronized Bytes query(Bytes request) {
    String[] parts = request.toUtf8().split(" ");
    String value = map.get(parts[1]);
    return value == null ? Bytes.EMPTY : Bytes.ofUtf8(value);
  }

  synchronized Map<String, String> contents() {
    return new TreeMap<>(map);
  }

  @Override
  public synchronized SnapshotWriter snapshot() {
    Map<String, String> copy = new TreeMap<>(map);
    return out -> {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(copy.size());
      for (Map.Entry<String, String> e : copy.entrySet()) {
        data.writeUTF(e.getKey());
        data.writeUTF(e.getValue());
      }
      data.flush();
    };
  }

  @Override
  public synchronized void restore(SnapshotMeta meta, InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    map.clear();
    int size = data.readInt();
    for (int i = 0; i < size; i++) {
      map.put(data.readUTF(), data.readUTF());
    }
  }
}
