package io.jangada.raft.testkit.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OpSetTest {

  @Test
  void compactSnapshotsIdentifyTheSameSetsAsABitSet() {
    long seed = 42;
    SplittableRandom random = new SplittableRandom(seed);
    int size = 300;
    OpSet set = new OpSet(size);
    OpSet other = new OpSet(size);
    BitSet reference = new BitSet();
    for (int step = 0; step < 20_000; step++) {
      // Mostly fill from the front, as a search does, with random clears.
      int index = random.nextInt(4) == 0 ? random.nextInt(size) : Math.min(size - 1, step % size);
      if (random.nextBoolean()) {
        set.set(index);
        reference.set(index);
      } else {
        set.clear(index);
        reference.clear(index);
      }
      OpSet rebuilt = new OpSet(size);
      for (int i = reference.nextSetBit(0); i >= 0; i = reference.nextSetBit(i + 1)) {
        rebuilt.set(i);
      }
      assertThat(new MemoKey(set, other, "s"))
          .as("seed %d step %d", seed, step)
          .isEqualTo(new MemoKey(rebuilt, other, "s"))
          .hasSameHashCodeAs(new MemoKey(rebuilt, other, "s"));
      assertThat(set.full() * 64).as("seed %d step %d", seed, step).isLessThanOrEqualTo(size);
    }
  }

  @Test
  void differentSetsOrStatesMakeDifferentKeys() {
    OpSet a = new OpSet(10);
    OpSet b = new OpSet(10);
    OpSet none = new OpSet(10);
    a.set(3);
    b.set(4);
    assertThat(new MemoKey(a, none, "s")).isNotEqualTo(new MemoKey(b, none, "s"));
    assertThat(new MemoKey(a, none, "s")).isNotEqualTo(new MemoKey(a, none, "t"));
    assertThat(new MemoKey(a, none, "s")).isNotEqualTo(new MemoKey(none, a, "s"));
  }
}
