package io.jangada.raft.testkit.lincheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Records the operations of concurrent clients into a {@link History}.
 *
 * <p>A client calls {@link #invoke} just before it sends a request and then exactly one of {@link
 * Call#ok}, {@link Call#fail} or {@link Call#info} on the returned call as soon as it knows the
 * outcome. Each of these reads the clock at that moment, so the recorded interval contains the real
 * one. Report {@code fail} only when the operation certainly did not take effect; when in doubt
 * (timeout, connection lost, leader changed), report {@code info}.
 *
 * <p>Thread-safe: any number of client threads may record at once. The clock must be monotonic and
 * shared by all clients ({@link System#nanoTime()} by default); a test with virtual time may inject
 * its own. Calls never block except briefly on an internal lock.
 *
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public final class HistoryRecorder<I, O> {

  private final LongSupplier clock;
  private final List<Call<I, O>> calls = new ArrayList<>(); // guarded by this

  private HistoryRecorder(LongSupplier clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A recorder on {@link System#nanoTime()}. */
  public static <I, O> HistoryRecorder<I, O> create() {
    return new HistoryRecorder<>(System::nanoTime);
  }

  /**
   * A recorder on {@code clock}, which must never go backwards and may be called from any client
   * thread (for example a simulation's virtual clock).
   */
  public static <I, O> HistoryRecorder<I, O> withClock(LongSupplier clock) {
    return new HistoryRecorder<>(clock);
  }

  /**
   * Records that {@code process} invokes an operation with {@code input} now; call this just before
   * sending the request. Complete the returned call exactly once.
   */
  public Call<I, O> invoke(int process, I input) {
    Objects.requireNonNull(input, "input");
    long now = clock.getAsLong();
    Call<I, O> call = new Call<>(this, process, now, input);
    synchronized (this) {
      calls.add(call);
    }
    return call;
  }

  /**
   * The history recorded so far, in invocation order. Calls not yet completed appear as {@code
   * info} operations (their outcome is still unknown), so call this after every client stopped if
   * you want their real outcomes.
   */
  public History<I, O> history() {
    List<Call<I, O>> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(calls);
    }
    List<Operation<I, O>> operations = new ArrayList<>(snapshot.size());
    for (Call<I, O> call : snapshot) {
      Outcome<O> outcome = call.outcome.get();
      operations.add(
          new Operation<>(
              call.process,
              call.invokeTime,
              call.input,
              outcome == null ? new Outcome.Info<>() : outcome));
    }
    return new History<>(operations);
  }

  /** The number of operations invoked so far. */
  public synchronized int size() {
    return calls.size();
  }

  long now() {
    return clock.getAsLong();
  }

  /**
   * An invoked operation waiting for its outcome. Thread-safe; it may be completed from another
   * thread than the one that invoked it (for example a future's callback).
   *
   * @param <I> the input type of the model
   * @param <O> the output type of the model
   */
  public static final class Call<I, O> {
    private final HistoryRecorder<I, O> recorder;
    private final int process;
    private final long invokeTime;
    private final I input;
    private final AtomicReference<Outcome<O>> outcome = new AtomicReference<>();

    private Call(HistoryRecorder<I, O> recorder, int process, long invokeTime, I input) {
      this.recorder = recorder;
      this.process = process;
      this.invokeTime = invokeTime;
      this.input = input;
    }

    /**
     * Records that the operation took effect and returned {@code output}.
     *
     * @throws IllegalStateException if the call was already completed
     */
    public void ok(O output) {
      complete(new Outcome.Ok<>(recorder.now(), output));
    }

    /**
     * Records that the operation definitely did not take effect.
     *
     * @throws IllegalStateException if the call was already completed
     */
    public void fail() {
      complete(new Outcome.Fail<>(recorder.now()));
    }

    /**
     * Records that the outcome is unknown: the operation may take effect later, or never.
     *
     * @throws IllegalStateException if the call was already completed
     */
    public void info() {
      complete(new Outcome.Info<>());
    }

    private void complete(Outcome<O> result) {
      if (!outcome.compareAndSet(null, result)) {
        throw new IllegalStateException(
            "p" + process + " " + input + " already completed with " + outcome.get());
      }
    }
  }
}
