package io.jangada.raft.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FloorProbeTest {

  @TempDir Path dir;

  @Test
  void theQuorumFloorIsOneSortedTimePerRoundAndLeavesNoFiles() throws Exception {
    long[] samples = FloorProbe.quorumFsyncSamples(dir, 3);

    assertThat(samples).hasSize(500);
    assertThat(samples[0]).isPositive();
    for (int i = 1; i < samples.length; i++) {
      assertThat(samples[i]).isGreaterThanOrEqualTo(samples[i - 1]);
    }
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}
