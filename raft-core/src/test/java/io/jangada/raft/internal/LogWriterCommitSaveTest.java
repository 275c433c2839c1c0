package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Scheduler;
import io.jangada.raft.core.Ready;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.LogStorage;
import io.jangada.raft.storage.StateStorage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The periodic commit-index save runs on the state lane, not on the log writer's (issue 16): the
 * next batch is written and synced while a save is pending, saves coalesce to the newest index, and
 * each save keeps the term and vote the writer saved last (and the reverse).
 */
class LogWriterCommitSaveTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final Membership MEMBERSHIP = Membership.ofVoters(List.of(N1, N2));
  private static final long FAR = LogWriter.COMMIT_SAVE_INTERVAL;

  /** The lane tasks queued until the test runs them. */
  private static final class HeldLane implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }

  /** Records every save and every batch reported, in order. */
  private final List<String> effects = new ArrayList<>();

  private final StateStorage state =
      new StateStorage() {
        private HardState current = HardState.INITIAL;

        @Override
        public synchronized HardState load() {
          return current;
        }

        @Override
        public synchronized void save(HardState next) {
          effects.add(
              "save term "
                  + next.term()
                  + " vote "
                  + next.votedFor().map(NodeId::value).orElse("-")
                  + " commit "
                  + next.commit());
          current = next;
        }
      };

  private final InMemoryLogStorage log = new InMemoryLogStorage();

  private final HeldLane stateLane = new HeldLane();
  private final List<Throwable> failures = new ArrayList<>();
  private final LogWriter writer =
      new LogWriter(
          Runnable::run,
          stateLane,
          log,
          state,
          HardState.INITIAL,
          new NodeEvents(N1, List.of(), List.of()),
          new NoClock());

  @Test
  void theNextBatchIsWrittenWhileTheCommitSaveIsPending() {
    persist(hard(1, N1, 0), entries(1, FAR + 1));
    effects.clear();

    persist(hard(1, N1, FAR), List.of());
    // Handed off, not saved: the writer lane is free for the next batch.
    assertThat(effects).containsExactly("done");
    assertThat(stateLane.tasks).hasSize(1);

    persist(hard(1, N1, FAR), entries(FAR + 2, FAR + 2));
    assertThat(effects).containsExactly("done", "done");
    assertThat(log.lastIndex()).isEqualTo(FAR + 2);

    stateLane.runAll();
    assertThat(effects).containsExactly("done", "done", "save term 1 vote n1 commit " + FAR);
    assertThat(failures).isEmpty();
  }

  @Test
  void pendingSavesCoalesceToTheNewestCommitIndex() {
    persist(hard(1, N1, 0), entries(1, 3 * FAR));
    effects.clear();

    persist(hard(1, N1, FAR), List.of());
    persist(hard(1, N1, 2 * FAR), List.of());
    assertThat(stateLane.tasks).hasSize(1);

    stateLane.runAll();
    assertThat(effects).containsExactly("done", "done", "save term 1 vote n1 commit " + 2 * FAR);

    // The distance to the next save counts from the index handed off.
    persist(hard(1, N1, 3 * FAR - 1), List.of());
    assertThat(stateLane.tasks).isEmpty();
    persist(hard(1, N1, 3 * FAR), List.of());
    assertThat(stateLane.tasks).hasSize(1);
  }

  @Test
  void aCommitSaveKeepsTheNewestTermAndVoteAndATermSaveTheSavedCommit() {
    persist(hard(1, N1, 0), entries(1, FAR + 1));
    persist(hard(1, N1, FAR), List.of());
    // A new term is saved before the pending commit save runs: that save must not bring back
    // term 1, and the term save carries the commit index saved so far (0).
    persist(hard(2, N2, FAR), List.of());
    assertThat(saves()).endsWith("save term 2 vote n2 commit 0");

    stateLane.runAll();
    assertThat(saves()).endsWith("save term 2 vote n2 commit " + FAR);

    persist(hard(3, null, FAR), List.of());
    assertThat(saves()).endsWith("save term 3 vote - commit " + FAR);
    assertThat(state)
        .extracting(LogWriterCommitSaveTest::loaded)
        .isEqualTo(new HardState(3, Optional.empty(), FAR));
  }

  @Test
  void theWriterGoesOnWhileASaveIsInProgressOnTheStateLane() throws Exception {
    CountDownLatch saving = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    StateStorage slow =
        new StateStorage() {
          private volatile HardState current = HardState.INITIAL;

          @Override
          public HardState load() {
            return current;
          }

          @Override
          public void save(HardState next) throws java.io.IOException {
            if (next.commit() > 0) { // the commit save: held until released
              saving.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
            }
            current = next;
          }
        };
    ExecutorService stateThread = Executors.newSingleThreadExecutor();
    ExecutorService writerThread = Executors.newSingleThreadExecutor();
    try {
      LogWriter concurrent =
          new LogWriter(
              writerThread,
              stateThread,
              log,
              slow,
              HardState.INITIAL,
              new NodeEvents(N1, List.of(), List.of()),
              new NoClock());
      CountDownLatch firstDone = new CountDownLatch(2);
      concurrent.persist(ready(hard(1, N1, 0), entries(1, FAR + 1)), firstDone::countDown, f -> {});
      concurrent.persist(ready(hard(1, N1, FAR), List.of()), firstDone::countDown, f -> {});
      assertThat(saving.await(10, TimeUnit.SECONDS)).isTrue();

      // The save is in progress on the state lane; the next batches (entries and commit-only
      // changes of the hard state) are written and reported meanwhile.
      CountDownLatch nextDone = new CountDownLatch(2);
      concurrent.persist(
          ready(hard(1, N1, FAR + 1), entries(FAR + 2, FAR + 2)), nextDone::countDown, f -> {});
      concurrent.persist(
          ready(hard(1, N1, FAR + 2), entries(FAR + 3, FAR + 3)), nextDone::countDown, f -> {});
      assertThat(nextDone.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(log.lastIndex()).isEqualTo(FAR + 3);
      assertThat(release.getCount()).isEqualTo(1); // still saving
    } finally {
      release.countDown();
      stateThread.shutdown();
      writerThread.shutdown();
      assertThat(stateThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(writerThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void noSaveRunsAfterTheWriterStopped() {
    persist(hard(1, N1, 0), entries(1, FAR + 1));
    persist(hard(1, N1, FAR), List.of());
    effects.clear();

    writer.stop();
    stateLane.runAll();
    assertThat(saves()).isEmpty();
  }

  @Test
  void aCommitIndexThatMovedLittleIsSavedWhenTheDriverAsks() {
    persist(hard(1, N1, 0), entries(1, 10));
    persist(hard(1, N1, 7), List.of());
    assertThat(stateLane.tasks).isEmpty(); // 7 is far below the interval
    effects.clear();

    writer.saveCommitIfBehind(failures::add);
    stateLane.runAll();
    assertThat(saves()).containsExactly("save term 1 vote n1 commit 7");

    // Nothing moved since: no second save.
    writer.saveCommitIfBehind(failures::add);
    assertThat(stateLane.tasks).isEmpty();
    assertThat(failures).isEmpty();
  }

  @Test
  void aCommitIndexTheDriverDidNotHandInIsSavedWhenTheDriverAsks() {
    persist(hard(1, N1, 0), entries(1, 10));
    effects.clear();
    // The driver skips the writer for a commit-only Ready when nothing is in flight.
    writer.skipped(ready(hard(1, N1, 9), List.of()));

    writer.saveCommitIfBehind(failures::add);
    stateLane.runAll();
    assertThat(saves()).containsExactly("save term 1 vote n1 commit 9");
  }

  @Test
  void aCommitIndexWhoseEntriesAreNotSyncedIsNeverSaved() {
    HeldLane writerLane = new HeldLane();
    LogWriter held =
        new LogWriter(
            writerLane,
            stateLane,
            log,
            state,
            HardState.INITIAL,
            new NodeEvents(N1, List.of(), List.of()),
            new NoClock());
    held.persist(ready(hard(1, N1, 5), entries(1, 5)), () -> effects.add("done"), failures::add);
    // Asked while the write is queued: the question waits behind it on the writer lane.
    held.saveCommitIfBehind(failures::add);
    assertThat(stateLane.tasks).isEmpty();
    writerLane.runAll();
    stateLane.runAll();
    assertThat(effects)
        .containsExactly("save term 1 vote n1 commit 0", "done", "save term 1 vote n1 commit 5");

    // A write that fails: its commit index is never saved.
    LogStorage failing = new UnsyncableLog(new InMemoryLogStorage());
    LogWriter broken =
        new LogWriter(
            Runnable::run,
            stateLane,
            failing,
            state,
            new HardState(1, Optional.of(N1), 5),
            new NodeEvents(N1, List.of(), List.of()),
            new NoClock());
    effects.clear();
    broken.persist(ready(hard(1, N1, 8), entries(1, 8)), () -> effects.add("done"), failures::add);
    broken.saveCommitIfBehind(failures::add);
    stateLane.runAll();
    assertThat(effects).isEmpty();
    assertThat(failures).hasSize(1);
  }

  private void persist(Optional<HardState> hard, List<LogEntry> entries) {
    writer.persist(ready(hard, entries), () -> effects.add("done"), failures::add);
  }

  private static Ready ready(Optional<HardState> hard, List<LogEntry> entries) {
    return new Ready(
        1, hard, entries, Optional.empty(), List.of(), List.of(), List.of(), false, MEMBERSHIP, 0);
  }

  private static HardState loaded(StateStorage storage) {
    try {
      return storage.load();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<String> saves() {
    return effects.stream().filter(e -> e.startsWith("save")).toList();
  }

  private static Optional<HardState> hard(long term, NodeId vote, long commit) {
    return Optional.of(new HardState(term, Optional.ofNullable(vote), commit));
  }

  private static List<LogEntry> entries(long from, long to) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(LogEntry.command(i, 1, Bytes.ofUtf8("e" + i)));
    }
    return out;
  }

  /** A log whose sync always fails. */
  private record UnsyncableLog(InMemoryLogStorage log) implements LogStorage {
    @Override
    public long firstIndex() {
      return log.firstIndex();
    }

    @Override
    public long lastIndex() {
      return log.lastIndex();
    }

    @Override
    public long term(long index) {
      return log.term(index);
    }

    @Override
    public List<LogEntry> entries(long fromInclusive, long toExclusive, long maxBytes) {
      return log.entries(fromInclusive, toExclusive, maxBytes);
    }

    @Override
    public void append(List<LogEntry> entries) {
      log.append(entries);
    }

    @Override
    public void sync() throws java.io.IOException {
      throw new java.io.IOException("disk gone");
    }

    @Override
    public void compactUpTo(long indexInclusive) {
      log.compactUpTo(indexInclusive);
    }

    @Override
    public void reset(long index, long term) {
      log.reset(index, term);
    }

    @Override
    public void close() {}
  }

  /** Only the clock is used (for timings, which no metrics listen to here). */
  private static final class NoClock implements Scheduler {
    @Override
    public Executor newLane(String name) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Scheduler.Cancellable schedule(Duration delay, Executor lane, Runnable task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public void shutdown() {}
  }
}
