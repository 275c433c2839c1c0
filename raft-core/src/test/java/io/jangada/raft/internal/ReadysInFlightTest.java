package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.core.Ready;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which Readys the log writer must see (issue 16: a commit-only Ready skips it). */
class ReadysInFlightTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final Membership MEMBERSHIP = Membership.ofVoters(List.of(N1, N2));

  private final ReadysInFlight inFlight = new ReadysInFlight();

  private static Ready ready(Optional<HardState> hard, List<LogEntry> entries, boolean mustSync) {
    return new Ready(
        1,
        hard,
        entries,
        Optional.empty(),
        List.of(),
        List.of(),
        List.of(),
        mustSync,
        MEMBERSHIP,
        0);
  }

  private static Optional<HardState> hard(long term, NodeId vote, long commit) {
    return Optional.of(new HardState(term, Optional.ofNullable(vote), commit));
  }

  @Test
  void aCommitOnlyReadySkipsTheWriterUntilTheCommitMovedFar() {
    inFlight.start(new HardState(3, Optional.of(N1), 10));

    assertThat(inFlight.needsWrite(ready(hard(3, N1, 11), List.of(), false))).isFalse();
    assertThat(inFlight.needsWrite(ready(Optional.empty(), List.of(), false))).isFalse();
    long far = 10 + LogWriter.COMMIT_SAVE_INTERVAL;
    assertThat(inFlight.needsWrite(ready(hard(3, N1, far - 1), List.of(), false))).isFalse();
    Ready farReady = ready(hard(3, N1, far), List.of(), false);
    assertThat(inFlight.needsWrite(farReady)).isTrue();

    // Once that Ready went to the writer, the distance counts from its commit index.
    inFlight.add(farReady);
    inFlight.written(farReady);
    assertThat(inFlight.needsWrite(ready(hard(3, N1, far + 1), List.of(), false))).isFalse();
  }

  @Test
  void termVoteEntriesSnapshotsAndSyncsAlwaysGoToTheWriter() {
    inFlight.start(new HardState(3, Optional.of(N1), 10));
    LogEntry entry = LogEntry.command(11, 3, Bytes.copyOf(new byte[] {1}));

    assertThat(inFlight.needsWrite(ready(hard(4, null, 10), List.of(), false))).isTrue();
    assertThat(inFlight.needsWrite(ready(hard(3, N2, 10), List.of(), false))).isTrue();
    assertThat(inFlight.needsWrite(ready(hard(3, N1, 10), List.of(entry), true))).isTrue();
    assertThat(inFlight.needsWrite(ready(Optional.empty(), List.of(), true))).isTrue();
    Ready withSnapshot =
        new Ready(
            1,
            Optional.empty(),
            List.of(),
            Optional.of(new SnapshotMeta(20, 3, MEMBERSHIP, 0)),
            List.of(),
            List.of(),
            List.of(),
            false,
            MEMBERSHIP,
            0);
    assertThat(inFlight.needsWrite(withSnapshot)).isTrue();
  }

  @Test
  void aNewTermHandedToTheWriterIsTheBaseForLaterReadys() {
    inFlight.start(HardState.INITIAL);
    Ready vote = ready(hard(1, N1, 0), List.of(), true);
    assertThat(inFlight.needsWrite(vote)).isTrue();
    inFlight.add(vote);
    inFlight.written(vote);

    assertThat(inFlight.needsWrite(ready(hard(1, N1, 1), List.of(), false))).isFalse();
  }
}
