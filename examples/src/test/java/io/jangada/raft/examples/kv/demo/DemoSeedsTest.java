package io.jangada.raft.examples.kv.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scenarios are written against what the cluster reports, not against seed 1's story: with
 * other seeds (other election timeouts, so other leaders) each still ends with every safety check
 * holding, and the same seed always gives the same narration.
 */
class DemoSeedsTest {

  private static final int SEEDS = 20;

  static Stream<String> names() {
    return DemoScenarioTest.names();
  }

  @ParameterizedTest
  @MethodSource("names")
  void everySeedKeepsTheSafetyChecks(String name) {
    Scenario scenario = Scenarios.named(name).orElseThrow();
    for (long seed = 1; seed <= SEEDS; seed++) {
      DemoRun run;
      try {
        run = DemoRun.play(scenario, seed);
      } catch (RuntimeException e) {
        throw new AssertionError(
            "scenario "
                + name
                + " seed "
                + seed
                + " failed; replay: kv demo "
                + name
                + " --seed "
                + seed,
            e);
      }
      DemoScenarioTest.assertSafe(run);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void theSameSeedTellsTheSameStory(String name) {
    Scenario scenario = Scenarios.named(name).orElseThrow();
    List<String> first = Narrator.narrate(DemoRun.play(scenario, 7), true);
    List<String> second = Narrator.narrate(DemoRun.play(scenario, 7), true);
    assertThat(second).isEqualTo(first);
  }
}
