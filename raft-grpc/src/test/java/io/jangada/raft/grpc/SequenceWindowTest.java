package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link SequenceWindow} against a sorted set of unfinished sequences, in random orders. */
class SequenceWindowTest {

  @Test
  void startsAtOneAndReportsTheNextWhenNothingIsInFlight() {
    SequenceWindow w = new SequenceWindow();
    assertThat(w.lowestUnfinished()).isEqualTo(1);
    assertThat(w.next()).isEqualTo(1);
    assertThat(w.next()).isEqualTo(2);
    w.finish(2);
    assertThat(w.lowestUnfinished()).isEqualTo(1);
    w.finish(1);
    assertThat(w.lowestUnfinished()).isEqualTo(3);
    w.finish(1); // again, and a sequence never handed out: ignored
    w.finish(9);
    assertThat(w.lowestUnfinished()).isEqualTo(3);
    assertThat(w.next()).isEqualTo(3);
  }

  @Test
  void matchesASortedSetUnderRandomIssueAndFinishOrders() {
    long seed = new SplittableRandom().nextLong();
    System.out.println("SequenceWindowTest seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    SequenceWindow w = new SequenceWindow();
    TreeSet<Long> unfinished = new TreeSet<>();
    List<Long> inFlight = new ArrayList<>();
    long next = 1;
    for (int step = 0; step < 200_000; step++) {
      // Phases of growth (up to a few hundred in flight, past the initial ring) and of draining.
      boolean issue =
          inFlight.isEmpty() || random.nextInt(100) < ((step / 5_000) % 2 == 0 ? 60 : 40);
      if (issue) {
        long s = w.next();
        assertThat(s).as("seed %d", seed).isEqualTo(next++);
        unfinished.add(s);
        inFlight.add(s);
      } else {
        int i = random.nextInt(inFlight.size());
        long s = inFlight.get(i);
        inFlight.set(i, inFlight.get(inFlight.size() - 1));
        inFlight.remove(inFlight.size() - 1);
        w.finish(s);
        unfinished.remove(s);
      }
      long expected = unfinished.isEmpty() ? next : unfinished.first();
      assertThat(w.lowestUnfinished()).as("seed %d step %d", seed, step).isEqualTo(expected);
    }
  }
}
