package io.jangada.raft.storage;

import io.jangada.raft.model.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link SnapshotStorage} in memory that keeps the newest {@code retain} committed snapshots. A
 * sink that is closed without {@link Sink#commit()} leaves no trace. Thread-safe.
 */
public final class InMemorySnapshotStorage implements SnapshotStorage {

  private final int retain;
  // Keyed by (index, term) order of commit: the newest is the last committed.
  private final TreeMap<Long, Stored> snapshots = new TreeMap<>();
  private long commits;

  /** Keeps the two newest snapshots. */
  public InMemorySnapshotStorage() {
    this(2);
  }

  /**
   * @throws IllegalArgumentException if {@code retain < 1}
   */
  public InMemorySnapshotStorage(int retain) {
    if (retain < 1) {
      throw new IllegalArgumentException("must retain at least one snapshot, got " + retain);
    }
    this.retain = retain;
  }

  @Override
  public synchronized Optional<SnapshotMeta> latest() {
    Map.Entry<Long, Stored> last = snapshots.lastEntry();
    return last == null ? Optional.empty() : Optional.of(last.getValue().meta());
  }

  @Override
  public Sink create(SnapshotMeta meta) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    return new Sink() {
      private boolean done;

      @Override
      public OutputStream stream() {
        return buffer;
      }

      @Override
      public void commit() throws IOException {
        if (done) {
          throw new IOException("snapshot sink already closed");
        }
        done = true;
        synchronized (InMemorySnapshotStorage.this) {
          snapshots.put(++commits, new Stored(meta, buffer.toByteArray()));
          while (snapshots.size() > retain) {
            snapshots.pollFirstEntry();
          }
        }
      }

      @Override
      public void close() {
        done = true;
      }
    };
  }

  @Override
  public synchronized InputStream open(SnapshotMeta meta) throws IOException {
    return new ByteArrayInputStream(find(meta).data());
  }

  @Override
  public synchronized long size(SnapshotMeta meta) throws IOException {
    return find(meta).data().length;
  }

  private Stored find(SnapshotMeta meta) throws FileNotFoundException {
    for (Stored stored : snapshots.descendingMap().values()) {
      if (stored.meta().equals(meta)) {
        return stored;
      }
    }
    throw new FileNotFoundException("no committed snapshot " + meta);
  }

  private record Stored(SnapshotMeta meta, byte[] data) {}
}
