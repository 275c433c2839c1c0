package io.jangada.raft.testkit.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemoTest {

  private static OpSet of(int size, BitSet bits) {
    OpSet set = new OpSet(size);
    for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
      set.set(i);
    }
    return set;
  }

  @Test
  void compactSetsBuiltDifferentlyAreTheSameNode() {
    long seed = 42;
    SplittableRandom random = new SplittableRandom(seed);
    int size = 300;
    OpSet set = new OpSet(size);
    OpSet none = new OpSet(size);
    BitSet reference = new BitSet();
    for (int step = 0; step < 5_000; step++) {
      // Mostly fill from the front, as a search does, with random clears.
      int index = random.nextInt(4) == 0 ? random.nextInt(size) : step % size;
      if (random.nextBoolean()) {
        set.set(index);
        reference.set(index);
      } else {
        set.clear(index);
        reference.clear(index);
      }
      Memo memo = new Memo(100);
      assertThat(memo.add(set, none, "s")).isTrue();
      assertThat(memo.add(of(size, reference), none, "s"))
          .as("seed %d step %d", seed, step)
          .isFalse();
      assertThat(memo.add(none, of(size, reference), "s")).isEqualTo(!reference.isEmpty());
      assertThat(set.isEmpty()).isEqualTo(reference.isEmpty());
    }
  }

  @Test
  void differentOkSetsOrStatesAreDifferentNodes() {
    Memo memo = new Memo(100);
    OpSet a = new OpSet(10);
    OpSet b = new OpSet(10);
    OpSet none = new OpSet(10);
    a.set(3);
    b.set(4);
    assertThat(memo.add(a, none, "s")).isTrue();
    assertThat(memo.add(b, none, "s")).isTrue();
    assertThat(memo.add(a, none, "t")).isTrue();
    assertThat(memo.add(a, none, "s")).isFalse();
  }

  @Test
  void aNodeWithFewerInfoOperationsDominates() {
    int size = 200;
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 500; round++) {
      BitSet small = new BitSet();
      for (int i = 0; i < size; i++) {
        if (random.nextInt(3) == 0) {
          small.set(i);
        }
      }
      BitSet large = (BitSet) small.clone();
      large.set(random.nextInt(size));
      large.set(random.nextInt(size));
      OpSet ok = new OpSet(size);
      ok.set(1);

      Memo memo = new Memo(100);
      assertThat(memo.add(ok, of(size, small), "s")).isTrue();
      assertThat(memo.add(ok, of(size, large), "s")).as("round %d", round).isFalse();
      assertThat(memo.add(ok, of(size, large), "other state")).isTrue();

      Memo reversed = new Memo(100);
      assertThat(reversed.add(ok, of(size, large), "s")).isTrue();
      assertThat(reversed.add(ok, of(size, small), "s"))
          .as("round %d", round)
          .isEqualTo(!small.equals(large));
      assertThat(reversed.add(ok, of(size, large), "s")).isFalse();
    }
  }

  @Test
  void aFullMemoStopsRememberingButStillAnswers() {
    Memo memo = new Memo(1);
    OpSet none = new OpSet(4);
    assertThat(memo.add(none, none, "a")).isTrue();
    assertThat(memo.add(none, none, "b")).isTrue();
    assertThat(memo.add(none, none, "b")).isTrue(); // not stored
    assertThat(memo.add(none, none, "a")).isFalse();
    assertThat(memo.size()).isEqualTo(1);
  }
}
