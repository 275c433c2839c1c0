package io.jangada.raft.testkit.lincheck;

import java.util.List;

/** Writes the human-readable explanation of a {@link CheckResult.Violation}. Stateless. */
final class ViolationText {
  private static final int MAX_STEPS_SHOWN = 10;

  private ViolationText() {}

  static <S, I, O> String explain(
      Model<S, I, O> model,
      Object partition,
      int okCount,
      int infoCount,
      Operation<I, O> stuckOp,
      long prefixEndTime,
      List<Operation<I, O>> linearization,
      List<S> statesAfter,
      Operation<I, O> blocked,
      S state,
      boolean outputImpossible,
      List<Operation<I, O>> candidates) {
    StringBuilder text = new StringBuilder();
    text.append("Partition ")
        .append(partition)
        .append(" is not linearizable (")
        .append(okCount)
        .append(" ok and ")
        .append(infoCount)
        .append(" info operations).\n");
    text.append("No ordering gets past the completion of ")
        .append(stuckOp.describe())
        .append(", so the history up to t=")
        .append(prefixEndTime)
        .append(" is already not linearizable.\n");
    text.append("Consistent ordering with the most ok operations found: ")
        .append(linearization.size())
        .append(" operation(s)");
    int from = Math.max(0, linearization.size() - MAX_STEPS_SHOWN);
    text.append(from > 0 ? ", the last " + (linearization.size() - from) + ":\n" : ":\n");
    for (int i = from; i < linearization.size(); i++) {
      text.append("  ")
          .append(i + 1)
          .append(". ")
          .append(linearization.get(i).describe())
          .append("   => ")
          .append(model.describe(statesAfter.get(i)))
          .append('\n');
    }
    text.append("Then ")
        .append(blocked.describe())
        .append(" had to take effect before its completion, but ");
    if (outputImpossible) {
      text.append("its output is impossible in state ").append(model.describe(state));
    } else {
      text.append("every ordering that takes it next fails later");
    }
    text.append(".\nCandidates at that point:");
    for (Operation<I, O> candidate : candidates) {
      text.append("\n  ").append(candidate.describe());
    }
    return text.toString();
  }
}
