package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash at every write/force point while snapshots are committed and aborted: after reopening, the
 * latest snapshot is the last committed one or the one being committed, and it reads back whole.
 */
class SnapshotCrashTest {

  private static final long SEED = 4242L;

  @TempDir Path tmp;

  private static SnapshotMeta meta(long index) {
    return new SnapshotMeta(index, 1 + index / 100, Membership.ofVoters(new NodeId("n1")));
  }

  private static Bytes data(long index) {
    byte[] b = new byte[(int) (index * 1000 % 150_000)];
    new SplittableRandom(index).nextBytes(b);
    return Bytes.wrapUnsafe(b);
  }

  /** Commits snapshots 100, 200, 300 (aborting one in between); records allowed latest values. */
  private static void script(SnapshotStorage storage, List<Optional<SnapshotMeta>> allowed)
      throws IOException {
    for (long index : new long[] {100, 200, 250, 300}) {
      try (SnapshotStorage.Sink sink = storage.create(meta(index))) {
        data(index).writeTo(sink.stream());
        if (index == 250) {
          continue; // aborted: closed without commit
        }
        allowed.add(Optional.of(meta(index)));
        sink.commit();
      }
      Optional<SnapshotMeta> now = allowed.get(allowed.size() - 1);
      allowed.clear();
      allowed.add(now);
    }
  }

  @Test
  void everyCrashPointLeavesTheOldOrTheNewSnapshotWhole() throws IOException {
    CrashingFileIo counting = new CrashingFileIo(0);
    Path dry = tmp.resolve("dry");
    script(SnapshotDir.open(counting, dry, 2, false), new ArrayList<>());
    long points = counting.points();
    assertThat(points).isGreaterThan(10);
    for (long k = 1; k <= points; k++) {
      for (int v = 0; v < 3; v++) {
        long seed = SEED * 1000 + k * 3 + v;
        Path dir = tmp.resolve("k" + k + "-" + v);
        CrashingFileIo io = new CrashingFileIo(k);
        List<Optional<SnapshotMeta>> allowed = new ArrayList<>(List.of(Optional.empty()));
        boolean opened = false;
        try {
          SnapshotStorage storage = SnapshotDir.open(io, dir, 2, false);
          opened = true;
          script(storage, allowed);
        } catch (CrashingFileIo.Crash expected) {
          // the process stops here
        }
        assertThat(io.crashed()).isTrue();
        if (!opened) {
          continue;
        }
        io.materialize(dir, new SplittableRandom(seed));
        SnapshotDir reopened = SnapshotDir.open(RealFileIo.INSTANCE, dir, 2, false);
        String context = "crash point " + k + " seed " + seed;
        assertThat(allowed).as(context).contains(reopened.latest());
        if (reopened.latest().isPresent()) {
          SnapshotMeta latest = reopened.latest().get();
          try (InputStream in = reopened.open(latest)) {
            assertThat(Bytes.readFrom(in)).as(context).isEqualTo(data(latest.index()));
          }
        }
        CrashConsistencyTest.deleteTree(dir);
      }
    }
  }
}
