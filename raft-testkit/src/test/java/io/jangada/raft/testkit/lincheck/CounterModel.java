package io.jangada.raft.testkit.lincheck;

import java.util.List;
import java.util.Optional;

/**
 * A test model written against the SPI only: a counter with {@code "incr"} (returns nothing, shown
 * as 0) and {@code "read"} (returns the count). Not idempotent, so a retried increment that is
 * applied twice shows up as a count that is too high.
 */
final class CounterModel implements Model<Long, String, Long> {

  @Override
  public Long initialState() {
    return 0L;
  }

  @Override
  public Optional<Long> step(Long state, String input, Long output) {
    if (input.equals("incr")) {
      return Optional.of(state + 1);
    }
    if (input.equals("read")) {
      return output.equals(state) ? Optional.of(state) : Optional.empty();
    }
    throw new IllegalArgumentException(input);
  }

  @Override
  public List<Long> stepUnobserved(Long state, String input) {
    return input.equals("incr") ? List.of(state + 1) : List.of(state);
  }
}
