package io.jangada.raft.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract every {@link SnapshotStorage} must meet. */
public abstract class SnapshotStorageContract {

  @TempDir protected Path dir;

  /** Opens a storage over {@code dir} that keeps the newest {@code retain} snapshots. */
  protected abstract SnapshotStorage open(Path dir, int retain) throws IOException;

  /** Restarts {@code storage} over the same durable data. */
  protected abstract SnapshotStorage reopen(SnapshotStorage storage, Path dir, int retain)
      throws IOException;

  protected static SnapshotMeta meta(long index, long term) {
    return new SnapshotMeta(index, term, Membership.ofVoters(new NodeId("a"), new NodeId("b")));
  }

  private static void write(SnapshotStorage storage, SnapshotMeta meta, Bytes data)
      throws IOException {
    try (SnapshotStorage.Sink sink = storage.create(meta)) {
      data.writeTo(sink.stream());
      sink.commit();
    }
  }

  private static Bytes read(SnapshotStorage storage, SnapshotMeta meta) throws IOException {
    try (InputStream in = storage.open(meta)) {
      return Bytes.readFrom(in);
    }
  }

  @Test
  void anEmptyStorageHasNoSnapshot() throws IOException {
    SnapshotStorage storage = open(dir, 2);
    assertThat(storage.latest()).isEmpty();
    assertThatThrownBy(() -> storage.open(meta(1, 1))).isInstanceOf(IOException.class);
  }

  @Test
  void aCommittedSnapshotIsTheLatestAndReadsBack() throws IOException {
    SnapshotStorage storage = open(dir, 2);
    byte[] big = new byte[300_000];
    new Random(1).nextBytes(big);
    Bytes data = Bytes.wrapUnsafe(big);
    write(storage, meta(10, 2), data);
    assertThat(storage.latest()).contains(meta(10, 2));
    assertThat(storage.size(meta(10, 2))).isEqualTo(big.length);
    assertThat(read(storage, meta(10, 2))).isEqualTo(data);
    SnapshotStorage again = reopen(storage, dir, 2);
    assertThat(again.latest()).contains(meta(10, 2));
    assertThat(read(again, meta(10, 2))).isEqualTo(data);
  }

  @Test
  void anAbortedSnapshotLeavesNoTrace() throws IOException {
    SnapshotStorage storage = open(dir, 2);
    write(storage, meta(5, 1), Bytes.ofUtf8("five"));
    SnapshotStorage.Sink sink = storage.create(meta(9, 1));
    sink.stream().write(new byte[] {1, 2, 3});
    sink.close();
    sink.close(); // idempotent
    assertThatThrownBy(sink::commit).isInstanceOf(IOException.class);
    assertThat(storage.latest()).contains(meta(5, 1));
    assertThatThrownBy(() -> storage.open(meta(9, 1))).isInstanceOf(IOException.class);
    assertThat(reopen(storage, dir, 2).latest()).contains(meta(5, 1));
  }

  @Test
  void aSnapshotBeingWrittenIsNotVisible() throws IOException {
    SnapshotStorage storage = open(dir, 2);
    try (SnapshotStorage.Sink sink = storage.create(meta(3, 1))) {
      sink.stream().write(42);
      assertThat(storage.latest()).isEmpty();
      sink.commit();
    }
    assertThat(storage.latest()).contains(meta(3, 1));
    assertThat(read(storage, meta(3, 1))).isEqualTo(Bytes.copyOf(new byte[] {42}));
  }

  @Test
  void onlyTheNewestSnapshotsAreRetained() throws IOException {
    SnapshotStorage storage = open(dir, 2);
    write(storage, meta(10, 1), Bytes.ofUtf8("ten"));
    write(storage, meta(20, 1), Bytes.ofUtf8("twenty"));
    write(storage, meta(30, 2), Bytes.ofUtf8("thirty"));
    assertThat(storage.latest()).contains(meta(30, 2));
    assertThat(read(storage, meta(20, 1))).isEqualTo(Bytes.ofUtf8("twenty"));
    assertThatThrownBy(() -> storage.open(meta(10, 1))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> storage.size(meta(10, 1))).isInstanceOf(IOException.class);
    SnapshotStorage again = reopen(storage, dir, 2);
    assertThat(again.latest()).contains(meta(30, 2));
    assertThat(read(again, meta(20, 1))).isEqualTo(Bytes.ofUtf8("twenty"));
  }

  @Test
  void anEmptySnapshotIsAllowed() throws IOException {
    SnapshotStorage storage = open(dir, 1);
    write(storage, meta(1, 1), Bytes.EMPTY);
    assertThat(storage.size(meta(1, 1))).isZero();
    assertThat(read(storage, meta(1, 1))).isEqualTo(Bytes.EMPTY);
  }
}
