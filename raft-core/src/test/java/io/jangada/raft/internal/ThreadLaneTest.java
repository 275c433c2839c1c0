package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default scheduler's lane on real threads (what it is about is which thread runs a task):
 * waits are bounded latches and futures, assertions on outcomes, never on timings.
 */
class ThreadLaneTest {

  private static final long WAIT_SECONDS = 10;

  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final ThreadLane lane = new ThreadLane("lane-under-test", (name, e) -> uncaught.add(e));

  @AfterEach
  void stop() {
    lane.shutdown();
    assertThat(lane.awaitEnd(TimeUnit.SECONDS.toNanos(WAIT_SECONDS))).isTrue();
  }

  @Test
  void executeRunsTasksOnTheLanesThreadInOrder() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    CompletableFuture<String> thread = new CompletableFuture<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      lane.execute(() -> order.add(n));
    }
    lane.execute(() -> thread.complete(Thread.currentThread().getName()));

    assertThat(thread.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("lane-under-test");
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add(i);
    }
    assertThat(order).isEqualTo(expected);
  }

  @Test
  void executeHereRunsOnTheCallerWhenIdleWithWhatTheTaskQueued() throws Exception {
    awaitIdle();
    List<String> threads = new ArrayList<>();
    lane.executeHere(
        () -> {
          threads.add("first:" + Thread.currentThread().getName());
          // Queued while the caller owns the lane: runs right after, on the caller's thread.
          lane.execute(() -> threads.add("queued:" + Thread.currentThread().getName()));
          lane.executeHere(() -> threads.add("nested:" + Thread.currentThread().getName()));
        });

    String me = Thread.currentThread().getName();
    assertThat(threads).containsExactly("first:" + me, "queued:" + me, "nested:" + me);
  }

  @Test
  void executeHereQueuesBehindARunningTask() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    CompletableFuture<String> thread = new CompletableFuture<>();
    lane.execute(
        () -> {
          running.countDown();
          await(release);
          order.add("blocking");
        });
    assertThat(running.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    lane.execute(() -> order.add("queued"));

    lane.executeHere(
        () -> {
          order.add("here");
          thread.complete(Thread.currentThread().getName());
        });
    assertThat(order).isEmpty(); // returned without running anything: the lane was busy
    release.countDown();

    assertThat(thread.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("lane-under-test");
    assertThat(order).containsExactly("blocking", "queued", "here");
  }

  @Test
  void aLongBurstIsHandedToTheLanesThread() throws Exception {
    awaitIdle();
    int queued = ThreadLane.INLINE_BURST + 5;
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(queued);
    lane.executeHere(
        () -> {
          for (int i = 0; i < queued; i++) {
            lane.execute(
                () -> {
                  threads.add(Thread.currentThread().getName());
                  all.countDown();
                });
          }
        });

    assertThat(all.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    String me = Thread.currentThread().getName();
    // The caller ran its own task and INLINE_BURST - 1 queued ones; the lane's thread the rest.
    assertThat(threads.subList(0, ThreadLane.INLINE_BURST - 1)).containsOnly(me);
    assertThat(threads.subList(ThreadLane.INLINE_BURST - 1, queued))
        .containsOnly("lane-under-test");
  }

  @Test
  void tasksNeverOverlapAndKeepEachProducersOrder() throws Exception {
    int producers = 4;
    int perProducer = 2_000;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    int[] lastSeen = new int[producers]; // written only by lane tasks, which never overlap
    AtomicInteger outOfOrder = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(producers * perProducer);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      threads.add(
          new Thread(
              () -> {
                for (int i = 1; i <= perProducer; i++) {
                  int n = i;
                  Runnable task =
                      () -> {
                        if (inside.incrementAndGet() != 1) {
                          overlaps.incrementAndGet();
                        }
                        if (lastSeen[producer] != n - 1) {
                          outOfOrder.incrementAndGet();
                        }
                        lastSeen[producer] = n;
                        inside.decrementAndGet();
                        done.countDown();
                      };
                  if (n % 2 == 0) {
                    lane.executeHere(task);
                  } else {
                    lane.execute(task);
                  }
                }
              }));
    }
    threads.forEach(Thread::start);

    assertThat(done.await(WAIT_SECONDS * 3, TimeUnit.SECONDS)).isTrue();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }
    assertThat(overlaps).hasValue(0);
    assertThat(outOfOrder).hasValue(0);
  }

  @Test
  void aFailingTaskIsReportedAndTheLaneGoesOn() throws Exception {
    CompletableFuture<Boolean> after = new CompletableFuture<>();
    lane.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    lane.execute(() -> after.complete(true));

    assertThat(after.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(uncaught).hasSize(1);
    assertThat(uncaught.get(0)).hasMessage("boom");
  }

  @Test
  void aTaskThatInterruptsItsThreadDoesNotKeepTheLaneAwake() throws Exception {
    CompletableFuture<Void> interrupted = new CompletableFuture<>();
    lane.execute(
        () -> {
          Thread.currentThread().interrupt();
          interrupted.complete(null);
        });
    interrupted.get(WAIT_SECONDS, TimeUnit.SECONDS);

    // Parked again (WAITING), not spinning through park calls that return at once.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (lane.thread().getState() != Thread.State.WAITING) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.onSpinWait();
    }
    assertThat(lane.thread().isInterrupted()).isFalse();
    CompletableFuture<Boolean> after = new CompletableFuture<>();
    lane.execute(() -> after.complete(true));
    assertThat(after.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownRunsWhatWasQueuedAndDropsLaterTasks() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    lane.execute(() -> await(release));
    lane.execute(() -> ran.add("queued before"));
    lane.shutdown();
    lane.execute(() -> ran.add("after"));
    lane.executeHere(() -> ran.add("here after"));
    release.countDown();

    assertThat(lane.awaitEnd(TimeUnit.SECONDS.toNanos(WAIT_SECONDS))).isTrue();
    assertThat(ran).containsExactly("queued before");
  }

  /** Waits until the lane's thread has gone idle after the tasks queued so far. */
  private void awaitIdle() throws Exception {
    CompletableFuture<Void> ran = new CompletableFuture<>();
    lane.execute(() -> ran.complete(null));
    ran.get(WAIT_SECONDS, TimeUnit.SECONDS);
    // The thread marks the lane idle right after its last task; executeHere needs that. Bounded:
    // the lane's thread has nothing else to do.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!lane.idle()) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
