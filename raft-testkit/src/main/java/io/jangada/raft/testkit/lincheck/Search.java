package io.jangada.raft.testkit.lincheck;

import io.jangada.raft.testkit.lincheck.CheckResult.PartitionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The search for one partition: Wing and Gong's backtracking search with Lowe's memoization, in the
 * just-in-time linearization form of Lowe's "Testing for linearizability" (2017), which Porcupine
 * also uses.
 *
 * <p>The invocations and completions of ok operations form a doubly linked list sorted by time. At
 * each node, the candidates are the operations invoked before the earliest completion still in the
 * list (no unlinearized operation precedes them in real time). The search linearizes a candidate
 * whose output the model accepts, removes its two events from the list and starts over; when the
 * earliest completion is reached with no candidate left, that operation can no longer take effect
 * in time, so the search backtracks. A (linearized set, state) pair seen before is not explored
 * again, nor one that a node seen before dominates (see {@link Memo}). The history is linearizable
 * once every ok operation is linearized.
 *
 * <p>Info operations have no completion (it is at +infinity) and are optional: they live in a
 * second list and are tried only after the ok candidates of a node (they are rarely needed, so this
 * order finds linearizations sooner; every candidate is still tried before backtracking). Leaving
 * an info operation out is the same as linearizing it after everything else, so a linearization
 * need not include it; and linearizing one that leaves the state unchanged is never better than
 * leaving it out, so the search skips such steps.
 *
 * <p>Two reductions use hints from the model: a consistent {@linkplain Model#readOnly read-only}
 * candidate is linearized at once without trying other orders, and a {@linkplain Model#overwrites
 * blind overwrite} is not tried right after another info operation.
 *
 * <p>Not thread-safe: one instance runs once, on one thread.
 */
final class Search<S, I, O> {
  private static final int NONE = -1;
  private static final int NOTHING = 0;
  private static final int DESCENDED = 1;
  private static final int FAILED = 2;
  private static final long CHECK_MASK = 0xFF; // look at the clock every 256 steps
  private static final int MAX_CANDIDATES_SHOWN = 8;

  private final Model<S, I, O> model;
  private final Object partition;
  private final long deadline;
  private final BooleanSupplier cancelled;

  // Ok operations in invocation order; event 2i is the invocation of ok[i], 2i+1 its completion.
  private final List<Operation<I, O>> ok;
  private final long[] eventTime;
  private final int[] next;
  private final int[] prev;
  private final int head;

  // Info operations in invocation order, in their own list.
  private final List<Operation<I, O>> info;
  private final long[] infoInvoke;
  private final int[] infoNext;
  private final int[] infoPrev;
  private final int[] infoHeads; // [other info operations, blind overwrites]

  private final boolean[] readOnly; // per ok operation: Model.readOnly(input, output)
  private final boolean[] overwrites; // per info operation: Model.overwrites(input)

  private final OpSet okSet;
  private final OpSet infoSet;
  private final Memo memo;

  // The search position.
  private S state;
  private Frame<S> top; // the linearized operations, last first; null at the root
  private boolean freshNode; // just descended: try a forced read-only step first
  private int cursor; // phase 1: the next event of the main list to try
  private boolean infoPhase; // phase 2: trying info operations
  private int stuck = NONE; // phase 2: the earliest completion still in the main list
  private int infoList; // phase 2: 0 while trying other info operations, 1 for blind overwrites
  private int infoCursor = NONE; // phase 2: the next info operation to try
  private int successorStart; // phase 2: the next successor state of infoCursor to try
  private List<S> resumeSuccessors; // phase 2: the successors of infoCursor, when resuming

  // Evidence for explanations.
  // The most informative partial linearization: most ok operations, then fewest info ones.
  private int bestOkDepth = -1;
  private int bestInfoDepth;
  private Frame<S> bestTop;
  private S bestState;
  private int bestBlocked;
  private List<Operation<I, O>> bestCandidates = List.of();
  private long maxStuckTime = Long.MIN_VALUE;
  private int maxStuckOp;

  Search(
      Model<S, I, O> model,
      Object partition,
      List<Operation<I, O>> operations,
      long deadline,
      BooleanSupplier cancelled,
      int maxMemoEntries) {
    this.model = model;
    this.partition = partition;
    this.deadline = deadline;
    this.cancelled = cancelled;
    this.memo = new Memo(maxMemoEntries);
    Comparator<Operation<I, O>> byInvocation =
        Comparator.<Operation<I, O>>comparingLong(Operation::invokeTime)
            .thenComparingLong(Operation::completeTime);
    List<Operation<I, O>> okOps = new ArrayList<>();
    List<Operation<I, O>> infoOps = new ArrayList<>();
    for (Operation<I, O> op : operations) {
      if (op.isOk()) {
        okOps.add(op);
      } else if (op.isInfo()) {
        infoOps.add(op);
      } // failed operations never took effect
    }
    okOps.sort(byInvocation);
    infoOps.sort(byInvocation);
    this.ok = List.copyOf(okOps);
    this.info = List.copyOf(infoOps);

    int events = 2 * ok.size();
    eventTime = new long[events];
    Integer[] order = new Integer[events];
    for (int e = 0; e < events; e++) {
      Operation<I, O> op = ok.get(e >> 1);
      eventTime[e] = (e & 1) == 0 ? op.invokeTime() : op.completeTime();
      order[e] = e;
    }
    // By time; at equal times invocations first (concurrent, the permissive reading).
    Arrays.sort(
        order,
        Comparator.<Integer>comparingLong(e -> eventTime[e])
            .thenComparingInt(e -> e & 1)
            .thenComparingInt(e -> e));
    head = events;
    next = new int[events + 1];
    prev = new int[events + 1];
    int last = head;
    for (int e : order) {
      next[last] = e;
      prev[e] = last;
      last = e;
    }
    next[last] = NONE;

    int infoCount = info.size();
    infoInvoke = new long[infoCount];
    overwrites = new boolean[infoCount];
    // Two lists sharing the link arrays: other info operations (head infoCount), then blind
    // overwrites (head infoCount + 1), each in invocation order.
    infoHeads = new int[] {infoCount, infoCount + 1};
    infoNext = new int[infoCount + 2];
    infoPrev = new int[infoCount + 2];
    int[] lastInfo = infoHeads.clone();
    for (int i = 0; i < infoCount; i++) {
      infoInvoke[i] = info.get(i).invokeTime();
      overwrites[i] = model.overwrites(info.get(i).input());
      int list = overwrites[i] ? 1 : 0;
      infoNext[lastInfo[list]] = i;
      infoPrev[i] = lastInfo[list];
      lastInfo[list] = i;
    }
    infoNext[lastInfo[0]] = NONE;
    infoNext[lastInfo[1]] = NONE;

    readOnly = new boolean[ok.size()];
    for (int i = 0; i < ok.size(); i++) {
      readOnly[i] = model.readOnly(ok.get(i).input(), output(ok.get(i)));
    }
    okSet = new OpSet(ok.size());
    infoSet = new OpSet(infoCount);
  }

  PartitionResult<I, O> run() {
    long start = System.nanoTime();
    state = model.initialState();
    memo.add(okSet, infoSet, state);
    cursor = next[head];
    freshNode = true;
    long steps = 0;
    while (true) {
      if (next[head] == NONE) {
        return result(Verdict.LINEARIZABLE, start, "linearizable", Optional.empty());
      }
      if ((steps++ & CHECK_MASK) == 0 && stopRequested()) {
        return unknown(start);
      }
      boolean descended = false;
      boolean nodeFails = false;
      if (freshNode) {
        freshNode = false;
        int forced = tryReadOnly();
        descended = forced == DESCENDED;
        nodeFails = forced == FAILED;
      }
      if (!descended && !nodeFails && !infoPhase) {
        descended = tryOkCandidates();
      }
      if (!descended && !nodeFails) {
        descended = tryInfoCandidates();
        if (!descended) {
          noteStuck(stuck, top, state); // no candidate left before the completion of stuck
        }
      }
      if (descended) {
        cursor = next[head];
        infoPhase = false;
        freshNode = true;
      } else if (!backtrack()) {
        return violation(start);
      }
    }
  }

  /**
   * Partial-order reduction: a read-only operation consistent with the current state can go first
   * in any linearization from this node (it is a candidate, so nothing pending must precede it, and
   * it leaves the state as it is), so this node's fate is that of its child and no other order is
   * tried.
   */
  private int tryReadOnly() {
    for (int e = next[head]; (e & 1) == 0; e = next[e]) {
      int op = e >> 1;
      if (!readOnly[op]) {
        continue;
      }
      Operation<I, O> operation = ok.get(op);
      Optional<S> after = model.step(state, operation.input(), output(operation));
      if (after.isEmpty()) {
        continue;
      }
      okSet.set(op);
      if (!remember(after.get())) {
        okSet.clear(op);
        return FAILED; // the child failed before, so this node fails
      }
      top = new Frame<>(Frame.FORCED, op, state, after.get(), null, 0, NONE, top);
      liftOk(op);
      state = after.get();
      return DESCENDED;
    }
    return NOTHING;
  }

  /** Tries the ok candidates from {@code cursor} on; at the first completion, enters phase 2. */
  private boolean tryOkCandidates() {
    while ((cursor & 1) == 0) { // an invocation: a candidate
      int op = cursor >> 1;
      Operation<I, O> operation = ok.get(op);
      Optional<S> after = model.step(state, operation.input(), output(operation));
      if (after.isPresent()) {
        okSet.set(op);
        if (remember(after.get())) {
          top = new Frame<>(Frame.OK, op, state, after.get(), null, 0, NONE, top);
          liftOk(op);
          state = after.get();
          return true;
        }
        okSet.clear(op);
      }
      cursor = next[cursor];
    }
    if (cursor == NONE) {
      throw new AssertionError("every invocation in the list precedes its completion");
    }
    stuck = cursor;
    infoPhase = true;
    infoList = 0;
    infoCursor = infoNext[infoHeads[0]];
    successorStart = 0;
    resumeSuccessors = null;
    return false;
  }

  /**
   * Tries the info candidates: those invoked before the earliest pending completion, other info
   * operations first, then blind overwrites.
   */
  private boolean tryInfoCandidates() {
    long limit = eventTime[stuck];
    // Right after another info operation, a blind overwrite is pointless: the same overwrite
    // directly from the parent node reaches the same state with fewer info operations.
    boolean afterInfo = top != null && top.kind == Frame.INFO;
    while (true) {
      while (infoCursor != NONE && infoInvoke[infoCursor] <= limit) {
        int op = infoCursor;
        List<S> successors =
            resumeSuccessors != null
                ? resumeSuccessors
                : model.stepUnobserved(state, info.get(op).input());
        for (int j = successorStart; j < successors.size(); j++) {
          S after = successors.get(j);
          if (after.equals(state)) {
            continue; // never taking effect is at least as good
          }
          infoSet.set(op);
          if (remember(after)) {
            top = new Frame<>(Frame.INFO, op, state, after, successors, j, stuck, top);
            liftInfo(op);
            state = after;
            return true;
          }
          infoSet.clear(op);
        }
        successorStart = 0;
        resumeSuccessors = null;
        infoCursor = infoNext[infoCursor];
      }
      if (infoList == 1 || afterInfo) {
        return false;
      }
      infoList = 1;
      infoCursor = infoNext[infoHeads[1]];
      successorStart = 0;
      resumeSuccessors = null;
    }
  }

  /**
   * Undoes the last step and positions the cursors to try the next sibling; a forced step's parent
   * fails as a whole, so it is undone too. Returns false if nothing is left to undo.
   */
  private boolean backtrack() {
    while (top != null) {
      Frame<S> frame = top;
      top = frame.parent;
      state = frame.before;
      if (frame.kind == Frame.INFO) {
        infoSet.clear(frame.op);
        unliftInfo(frame.op);
        infoPhase = true;
        stuck = frame.limit;
        infoList = overwrites[frame.op] ? 1 : 0;
        infoCursor = frame.op;
        successorStart = frame.successorIndex + 1;
        resumeSuccessors = frame.successors;
        return true;
      }
      okSet.clear(frame.op);
      unliftOk(frame.op);
      if (frame.kind == Frame.OK) {
        infoPhase = false;
        cursor = next[2 * frame.op];
        return true;
      }
    }
    return false;
  }

  private O output(Operation<I, O> operation) {
    return ((Outcome.Ok<O>) operation.outcome()).output();
  }

  private boolean stopRequested() {
    return System.nanoTime() - deadline >= 0 || cancelled.getAsBoolean();
  }

  /** Adds the current sets with {@code state} to the memo; false if it holds a dominating node. */
  private boolean remember(S state) {
    return memo.add(okSet, infoSet, state);
  }

  private void liftOk(int op) {
    unlink(2 * op);
    unlink(2 * op + 1);
  }

  private void unliftOk(int op) {
    relink(2 * op + 1);
    relink(2 * op);
  }

  private void unlink(int event) {
    int before = prev[event];
    int after = next[event];
    next[before] = after;
    if (after != NONE) {
      prev[after] = before;
    }
  }

  private void relink(int event) {
    int before = prev[event];
    int after = next[event];
    next[before] = event;
    if (after != NONE) {
      prev[after] = event;
    }
  }

  private void liftInfo(int op) {
    int before = infoPrev[op];
    int after = infoNext[op];
    infoNext[before] = after;
    if (after != NONE) {
      infoPrev[after] = before;
    }
  }

  private void unliftInfo(int op) {
    int before = infoPrev[op];
    int after = infoNext[op];
    infoNext[before] = op;
    if (after != NONE) {
      infoPrev[after] = op;
    }
  }

  private void noteStuck(int stuck, Frame<S> top, S state) {
    long time = eventTime[stuck];
    if (time > maxStuckTime) {
      maxStuckTime = time;
      maxStuckOp = stuck >> 1;
    }
    int okDepth = top == null ? 0 : top.okDepth;
    int infoDepth = top == null ? 0 : top.depth - top.okDepth;
    if (okDepth > bestOkDepth || (okDepth == bestOkDepth && infoDepth < bestInfoDepth)) {
      bestOkDepth = okDepth;
      bestInfoDepth = infoDepth;
      bestTop = top;
      bestState = state;
      bestBlocked = stuck >> 1;
      bestCandidates = candidatesBefore(stuck);
    }
  }

  private List<Operation<I, O>> candidatesBefore(int stuck) {
    List<Operation<I, O>> candidates = new ArrayList<>();
    for (int e = next[head]; e != stuck && candidates.size() < MAX_CANDIDATES_SHOWN; e = next[e]) {
      candidates.add(ok.get(e >> 1));
    }
    for (int list : infoHeads) {
      for (int i = infoNext[list];
          i != NONE
              && infoInvoke[i] <= eventTime[stuck]
              && candidates.size() < MAX_CANDIDATES_SHOWN;
          i = infoNext[i]) {
        candidates.add(info.get(i));
      }
    }
    return candidates;
  }

  private PartitionResult<I, O> unknown(long start) {
    String why = cancelled.getAsBoolean() ? "stopped early" : "time budget exhausted";
    return result(
        Verdict.UNKNOWN,
        start,
        why
            + " after "
            + memo.size()
            + " states; longest consistent ordering so far: "
            + Math.max(bestOkDepth, 0)
            + " of "
            + ok.size()
            + " ok operations",
        Optional.empty());
  }

  private PartitionResult<I, O> violation(long start) {
    List<Operation<I, O>> linearization = new ArrayList<>();
    List<S> statesAfter = new ArrayList<>();
    for (Frame<S> f = bestTop; f != null; f = f.parent) {
      linearization.add(f.kind == Frame.INFO ? info.get(f.op) : ok.get(f.op));
      statesAfter.add(f.after);
    }
    Collections.reverse(linearization);
    Collections.reverse(statesAfter);
    Operation<I, O> blocked = ok.get(bestBlocked);
    Operation<I, O> stuckOp = ok.get(maxStuckOp);

    String text =
        ViolationText.explain(
            model,
            partition,
            ok.size(),
            info.size(),
            stuckOp,
            maxStuckTime,
            linearization,
            statesAfter,
            blocked,
            bestState,
            model.step(bestState, blocked.input(), output(blocked)).isEmpty(),
            bestCandidates);
    CheckResult.Violation<I, O> violation =
        new CheckResult.Violation<>(partition, maxStuckTime, stuckOp, linearization, blocked, text);
    return result(
        Verdict.NOT_LINEARIZABLE,
        start,
        "not linearizable: no ordering gets past t=" + maxStuckTime,
        Optional.of(violation));
  }

  private PartitionResult<I, O> result(
      Verdict verdict, long start, String what, Optional<CheckResult.Violation<I, O>> violation) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    String summary =
        "partition "
            + partition
            + ": "
            + what
            + " ("
            + (ok.size() + info.size())
            + " operations, "
            + memo.size()
            + " states, "
            + elapsed.toMillis()
            + " ms)";
    return new PartitionResult<>(
        partition, verdict, ok.size() + info.size(), memo.size(), elapsed, summary, violation);
  }
}
