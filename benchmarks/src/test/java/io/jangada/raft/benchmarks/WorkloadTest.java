package io.jangada.raft.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  private static byte[] formatted(long n) {
    return String.format("k%015d", n).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void keysEqualTheFormattedKeysAroundEveryDigitBoundary() {
    for (long n = 0; n < 100_000; n++) {
      assertThat(Workload.key(n)).as("op %d", n).isEqualTo(formatted(n));
    }
    for (long power = 10; power > 0 && power <= Long.MAX_VALUE / 10; power *= 10) {
      for (long n = power - 2; n <= power + 2; n++) {
        assertThat(Workload.key(n)).as("op %d", n).isEqualTo(formatted(n));
      }
    }
    assertThat(Workload.key(Long.MAX_VALUE)).isEqualTo(formatted(Long.MAX_VALUE));
  }

  @Test
  void keysEqualTheFormattedKeysForRandomOpNumbers() {
    long seed = System.nanoTime();
    System.out.println("WorkloadTest seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < 100_000; i++) {
      long n = (random.nextLong() >>> 1) >>> random.nextInt(63);
      assertThat(Workload.key(n)).as("op %d (seed %d)", n, seed).isEqualTo(formatted(n));
    }
  }

  @Test
  void keysOfTheBenchmarkRangeHaveTheReferenceLength() {
    assertThat(Workload.key(0)).hasSize(Workload.KEY_BYTES);
    assertThat(Workload.key(999_999_999_999_999L)).hasSize(Workload.KEY_BYTES);
    assertThat(new String(Workload.key(42), StandardCharsets.US_ASCII))
        .isEqualTo("k000000000000042");
  }

  @Test
  void negativeOpNumbersAreRejected() {
    assertThatThrownBy(() -> Workload.key(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
