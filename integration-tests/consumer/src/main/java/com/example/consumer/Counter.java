package com.example.consumer;

import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.SnapshotMeta;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** A user's state machine: commands are numbers to add; any query returns the sum. */
public final class Counter implements StateMachine {

  private long sum;

  @Override
  public synchronized Bytes apply(long index, Bytes command) {
    sum += Long.parseLong(command.toUtf8());
    return Bytes.ofUtf8(Long.toString(sum));
  }

  @Override
  public synchronized Bytes query(Bytes request) {
    return Bytes.ofUtf8(Long.toString(sum));
  }

  @Override
  public synchronized SnapshotWriter snapshot() {
    long captured = sum;
    return out -> new DataOutputStream(out).writeLong(captured);
  }

  @Override
  public synchronized void restore(SnapshotMeta meta, InputStream data) throws IOException {
    sum = new DataInputStream(data).readLong();
  }
}
