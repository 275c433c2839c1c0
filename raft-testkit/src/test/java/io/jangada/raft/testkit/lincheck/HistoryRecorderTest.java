package io.jangada.raft.testkit.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistoryRecorderTest {

  @Test
  void recordsInvocationsAndOutcomesOnTheInjectedClock() {
    AtomicLong clock = new AtomicLong();
    HistoryRecorder<String, Long> recorder = HistoryRecorder.withClock(clock::incrementAndGet);
    HistoryRecorder.Call<String, Long> incr = recorder.invoke(1, "incr"); // t=1
    HistoryRecorder.Call<String, Long> read = recorder.invoke(2, "read"); // t=2
    HistoryRecorder.Call<String, Long> lost = recorder.invoke(3, "incr"); // t=3
    HistoryRecorder.Call<String, Long> pending = recorder.invoke(4, "incr"); // t=4
    incr.ok(0L); // t=5
    read.fail(); // t=6
    lost.info();

    History<String, Long> history = recorder.history();
    assertThat(history.operations())
        .containsExactly(
            Operation.ok(1, 1, 5, "incr", 0L),
            Operation.fail(2, 2, 6, "read"),
            Operation.info(3, 3, "incr"),
            Operation.info(4, 4, "incr"));
    assertThat(recorder.size()).isEqualTo(4);
    pending.ok(0L);
    assertThat(recorder.history().operations().get(3)).isEqualTo(Operation.ok(4, 4, 7, "incr", 0L));
  }

  @Test
  void aCallCompletesOnlyOnce() {
    HistoryRecorder<String, Long> recorder = HistoryRecorder.create();
    HistoryRecorder.Call<String, Long> call = recorder.invoke(1, "incr");
    call.ok(0L);
    assertThatThrownBy(call::info).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(call::fail).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void concurrentClientsOfALockedCounterRecordALinearizableHistory() throws Exception {
    HistoryRecorder<String, Long> recorder = HistoryRecorder.create();
    Object lock = new Object();
    long[] counter = {0};
    int clients = 6;
    int opsPerClient = 400;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int process = c;
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < opsPerClient; i++) {
                  boolean incr = ThreadLocalRandom.current().nextInt(3) == 0;
                  HistoryRecorder.Call<String, Long> call =
                      recorder.invoke(process, incr ? "incr" : "read");
                  long result;
                  synchronized (lock) {
                    result = incr ? 0 : counter[0];
                    if (incr) {
                      counter[0]++;
                    }
                  }
                  if (incr && i % 50 == 7) {
                    call.info(); // pretend the reply was lost
                  } else {
                    call.ok(result);
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    History<String, Long> history = recorder.history();
    assertThat(history.size()).isEqualTo(clients * opsPerClient);
    CheckResult<String, Long> result =
        LinearizabilityChecker.sequential()
            .check(history, new CounterModel(), Duration.ofSeconds(60));
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }
}
