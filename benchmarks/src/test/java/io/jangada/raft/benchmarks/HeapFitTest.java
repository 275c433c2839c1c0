package io.jangada.raft.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapFitTest {

  private static final long TWO_GIB = 2L << 30;

  @Test
  void theReferenceWorkloadsWithHundredByteValuesFit() {
    assertThat(HeapFit.problem(3, 220_000, 100, TWO_GIB)).isNull(); // W1, W3
    assertThat(HeapFit.problem(5, 220_000, 100, TWO_GIB)).isNull(); // W1 on 5 nodes
  }

  @Test
  void fourKibValuesFitOnlyWithFewerPuts() {
    assertThat(HeapFit.problem(3, 55_000, 4096, TWO_GIB)).isNull(); // README's W4
    String problem = HeapFit.problem(3, 220_000, 4096, TWO_GIB);
    assertThat(problem)
        .contains("3 nodes x 220000 puts of 4096-byte values")
        .contains("2048 MiB heap")
        .contains("Use at most 84413 puts"); // 1 GiB / (3 x (16 + 4096 + 128) bytes)
  }

  @Test
  void theAdvisedPutCountFitsAndOneMoreDoesNot() {
    long bound = (long) (HeapFit.MAX_SHARE * TWO_GIB) / HeapFit.stateBytes(3, 1, 4096);
    assertThat(HeapFit.problem(3, bound, 4096, TWO_GIB)).isNull();
    assertThat(HeapFit.problem(3, bound + 1, 4096, TWO_GIB)).isNotNull();
  }
}
