package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.NodeId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Ticks counted by the clock: none lost to late timers or pauses, no drift. */
class TickClockTest {

  private static final long MS = 1_000_000;

  private final TickClock clock = new TickClock(NodeId.of("n1"), Duration.ofMillis(10), 10);

  @Test
  void handsOutEachDueTickOnce() {
    clock.start(5 * MS);
    assertThat(clock.untilNext(5 * MS)).isEqualTo(Duration.ofMillis(10));
    assertThat(clock.take(14 * MS)).isZero();
    assertThat(clock.take(15 * MS)).isEqualTo(1);
    assertThat(clock.take(15 * MS)).isZero();
    assertThat(clock.take(24 * MS)).isZero();
    assertThat(clock.take(26 * MS)).isEqualTo(1);
  }

  /** A pause of 1 s at 10 ms per tick: all 100 missed ticks are due at once. */
  @Test
  void aPauseLeavesNoTickOut() {
    clock.start(0);
    assertThat(clock.take(10 * MS)).isEqualTo(1);
    assertThat(clock.take(1_010 * MS + 3 * MS)).isEqualTo(100);
    assertThat(clock.untilNext(1_013 * MS)).isEqualTo(Duration.ofMillis(7));
  }

  /** A timer that fires 3 ms late aims the next one at the tick's due time, not 10 ms later. */
  @Test
  void lateTimersDoNotAddUp() {
    clock.start(0);
    long now = 0;
    for (int tick = 1; tick <= 50; tick++) {
      now += clock.untilNext(now).toNanos() + 3 * MS; // every timer late by 3 ms
      assertThat(clock.take(now)).isEqualTo(1);
    }
    assertThat(now).isEqualTo(500 * MS + 3 * MS);
  }

  /** A timer that fires early delivers nothing and aims at the due time again. */
  @Test
  void anEarlyTimerDeliversNothing() {
    clock.start(0);
    assertThat(clock.take(9 * MS)).isZero();
    assertThat(clock.untilNext(9 * MS)).isEqualTo(Duration.ofMillis(1));
  }

  /** The core gets the due ticks up to three election timeouts, after which its timers ran out. */
  @Test
  void theCoreGetsAtMostThreeElectionTimeoutsInARow() {
    assertThat(clock.forCore(1)).isEqualTo(1);
    assertThat(clock.forCore(30)).isEqualTo(30);
    assertThat(clock.forCore(1_000_000)).isEqualTo(30);
  }

  /** Any clock origin works, also negative nanoTime values. */
  @Test
  void negativeClockOrigin() {
    clock.start(-25 * MS);
    assertThat(clock.take(-15 * MS)).isEqualTo(1);
    assertThat(clock.take(5 * MS)).isEqualTo(2);
  }
}
