package io.jangada.raft.testkit.lincheck.models;

import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates concurrent histories of a real linearizable map (or register) and provably
 * non-linearizable mutations of them.
 *
 * <p>Each client runs operations one after another. Every operation that takes effect gets an
 * effect instant: inside its interval for ok operations, anywhere after its invocation (possibly
 * after the client gave up) for info ones; failed operations never take effect. Applying the
 * operations to a map in effect order gives each ok operation its output, so the history is
 * linearizable by construction. Every written value is unique, which makes the mutations provably
 * wrong (see {@link Mutation}).
 */
final class HistoryGenerator {

  enum Kind {
    READ,
    WRITE,
    CAS,
    DELETE,
    CREATE
  }

  enum Status {
    OK,
    FAIL,
    INFO
  }

  /**
   * Ways to break a history, each provably non-linearizable because values are unique:
   *
   * <ul>
   *   <li>PHANTOM: a read returns a value nobody wrote.
   *   <li>FUTURE: a read returns the value of a write invoked after the read completed.
   *   <li>STALE: a read returns v1 although, after v1's only writer completed, an acknowledged
   *       state change completed before the read started (v1 can never come back).
   *   <li>DOUBLE_CAS: a second compare-and-set from the same expected value also succeeds (the
   *       value can be there only once, and each success replaces it).
   * </ul>
   */
  enum Mutation {
    PHANTOM,
    FUTURE,
    STALE,
    DOUBLE_CAS
  }

  /** The shape of generated histories. */
  record Shape(
      int clients,
      int operations,
      int keys,
      boolean kv,
      double infoRate,
      double failRate,
      int maxDuration) {}

  /** One generated operation; {@code read}/{@code applied} hold the ok output. */
  static final class Op {
    final int process;
    final int key;
    final Kind kind;
    final int value; // written value (WRITE, CAS update, CREATE)
    final int expected; // CAS
    final long invoke;
    final long complete;
    final Status status;
    long effect; // Long.MAX_VALUE if it never takes effect
    Optional<Integer> read = Optional.empty();
    boolean applied;

    Op(
        int process,
        int key,
        Kind kind,
        int value,
        int expected,
        long invoke,
        long complete,
        Status status) {
      this.process = process;
      this.key = key;
      this.kind = kind;
      this.value = value;
      this.expected = expected;
      this.invoke = invoke;
      this.complete = complete;
      this.status = status;
    }

    /** The completion time as the checker sees it. */
    long completeTime() {
      return status == Status.INFO ? Long.MAX_VALUE : complete;
    }

    boolean carriesValue() {
      return kind == Kind.WRITE || kind == Kind.CAS || kind == Kind.CREATE;
    }

    /** An acknowledged operation that certainly changed the state to a new value or absent. */
    boolean definitelyChangedState() {
      if (status != Status.OK) {
        return false;
      }
      return kind == Kind.WRITE
          || kind == Kind.DELETE
          || ((kind == Kind.CAS || kind == Kind.CREATE) && applied);
    }
  }

  private final SplittableRandom random;
  private final Shape shape;
  private int nextValue = 1;
  private final List<Op> ops = new ArrayList<>();

  private HistoryGenerator(long seed, Shape shape) {
    this.random = new SplittableRandom(seed);
    this.shape = shape;
  }

  /** A linearizable history of a simulated map (or register if {@code !shape.kv()}). */
  static List<Op> linearizable(long seed, Shape shape) {
    HistoryGenerator generator = new HistoryGenerator(seed, shape);
    generator.generate();
    generator.apply();
    return generator.ops;
  }

  /**
   * Breaks {@code ops} with {@code mutation}; returns the mutated key, or empty if the history has
   * no place for this mutation.
   */
  static Optional<Integer> mutate(List<Op> ops, Mutation mutation, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Op> reads = new ArrayList<>();
    for (Op op : ops) {
      if (op.kind == Kind.READ && op.status == Status.OK) {
        reads.add(op);
      }
    }
    switch (mutation) {
      case PHANTOM:
        if (reads.isEmpty()) {
          return Optional.empty();
        }
        Op read = reads.get(random.nextInt(reads.size()));
        read.read = Optional.of(-1);
        return Optional.of(read.key);
      case FUTURE:
        return mutateFuture(ops, reads, random);
      case STALE:
        return mutateStale(ops, reads, random);
      case DOUBLE_CAS:
        return mutateDoubleCas(ops, random);
    }
    throw new AssertionError(mutation);
  }

  private static Optional<Integer> mutateFuture(
      List<Op> ops, List<Op> reads, SplittableRandom random) {
    List<Op> shuffled = new ArrayList<>(reads);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      Collections.swap(shuffled, i, random.nextInt(i + 1));
    }
    for (Op r : shuffled) {
      List<Op> later = new ArrayList<>();
      for (Op w : ops) {
        if (w.key == r.key && w.carriesValue() && w.invoke > r.complete) {
          later.add(w);
        }
      }
      if (!later.isEmpty()) {
        r.read = Optional.of(later.get(random.nextInt(later.size())).value);
        return Optional.of(r.key);
      }
    }
    return Optional.empty();
  }

  private static Optional<Integer> mutateStale(
      List<Op> ops, List<Op> reads, SplittableRandom random) {
    List<Op> shuffled = new ArrayList<>(reads);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      Collections.swap(shuffled, i, random.nextInt(i + 1));
    }
    for (Op r : shuffled) {
      List<Op> changes = new ArrayList<>();
      for (Op w2 : ops) {
        if (w2.key == r.key && w2.definitelyChangedState() && w2.complete < r.invoke) {
          changes.add(w2);
        }
      }
      if (changes.isEmpty()) {
        continue;
      }
      Op w2 = changes.get(random.nextInt(changes.size()));
      List<Op> writers = new ArrayList<>();
      for (Op w1 : ops) {
        if (w1.key == r.key && w1.carriesValue() && w1.completeTime() < w2.invoke) {
          writers.add(w1);
        }
      }
      if (!writers.isEmpty()) {
        r.read = Optional.of(writers.get(random.nextInt(writers.size())).value);
        return Optional.of(r.key);
      }
    }
    return Optional.empty();
  }

  private static Optional<Integer> mutateDoubleCas(List<Op> ops, SplittableRandom random) {
    List<Op> succeeded = new ArrayList<>();
    long end = 0;
    int maxValue = 0;
    for (Op op : ops) {
      if (op.kind == Kind.CAS && op.status == Status.OK && op.applied) {
        succeeded.add(op);
      }
      end = Math.max(end, op.complete);
      maxValue = Math.max(maxValue, op.value);
    }
    if (succeeded.isEmpty()) {
      return Optional.empty();
    }
    Op first = succeeded.get(random.nextInt(succeeded.size()));
    long invoke = random.nextLong(end + 1);
    Op second =
        new Op(
            1000,
            first.key,
            Kind.CAS,
            maxValue + 1,
            first.expected,
            invoke,
            invoke + 1 + random.nextInt(20),
            Status.OK);
    second.applied = true;
    ops.add(second);
    return Optional.of(first.key);
  }

  private void generate() {
    int clients = shape.clients();
    for (int c = 0; c < clients; c++) {
      long time = random.nextInt(5);
      int count = shape.operations() / clients + (c < shape.operations() % clients ? 1 : 0);
      for (int i = 0; i < count; i++) {
        long invoke = time + random.nextInt(4);
        long complete = invoke + 1 + random.nextInt(shape.maxDuration());
        Status status = status();
        Kind kind = kind();
        int key = random.nextInt(shape.keys());
        int value = kind == Kind.WRITE || kind == Kind.CAS || kind == Kind.CREATE ? nextValue++ : 0;
        int expected = kind == Kind.CAS ? Math.max(1, value - 1 - random.nextInt(4)) : 0;
        Op op = new Op(c, key, kind, value, expected, invoke, complete, status);
        long duration = complete - invoke;
        if (status == Status.OK) {
          op.effect = invoke + random.nextLong(duration + 1);
        } else if (status == Status.INFO && random.nextBoolean()) {
          op.effect = invoke + random.nextLong(3 * duration + 1);
        } else {
          op.effect = Long.MAX_VALUE;
        }
        ops.add(op);
        time = complete;
      }
    }
  }

  private Status status() {
    double draw = random.nextDouble();
    if (draw < shape.failRate()) {
      return Status.FAIL;
    }
    return draw < shape.failRate() + shape.infoRate() ? Status.INFO : Status.OK;
  }

  private Kind kind() {
    int draw = random.nextInt(100);
    if (draw < 40) {
      return Kind.READ;
    }
    if (draw < 65 || (!shape.kv() && draw < 75)) {
      return Kind.WRITE;
    }
    if (draw < 85 || !shape.kv()) {
      return Kind.CAS;
    }
    return draw < 92 ? Kind.DELETE : Kind.CREATE;
  }

  /** Applies the operations that take effect in effect order and records ok outputs. */
  private void apply() {
    List<Op> effective = new ArrayList<>();
    for (Op op : ops) {
      if (op.effect != Long.MAX_VALUE) {
        effective.add(op);
      }
    }
    effective.sort(Comparator.comparingLong(op -> op.effect));
    Map<Integer, Integer> map = new HashMap<>();
    for (Op op : effective) {
      Integer current = map.get(op.key);
      switch (op.kind) {
        case READ:
          op.read = Optional.ofNullable(current);
          break;
        case WRITE:
          map.put(op.key, op.value);
          break;
        case DELETE:
          map.remove(op.key);
          break;
        case CAS:
          op.applied = current != null && current == op.expected;
          if (op.applied) {
            map.put(op.key, op.value);
          }
          break;
        case CREATE:
          op.applied = current == null;
          if (op.applied) {
            map.put(op.key, op.value);
          }
          break;
      }
    }
  }

  static History<KvOp<Integer, Integer>, Reply<Integer>> toKv(List<Op> ops) {
    History.Builder<KvOp<Integer, Integer>, Reply<Integer>> history = History.builder();
    for (Op op : ops) {
      KvOp<Integer, Integer> input;
      Reply<Integer> output;
      switch (op.kind) {
        case READ:
          input = KvOp.get(op.key);
          output = Reply.read(op.read);
          break;
        case WRITE:
          input = KvOp.put(op.key, op.value);
          output = Reply.ack();
          break;
        case DELETE:
          input = KvOp.delete(op.key);
          output = Reply.ack();
          break;
        case CAS:
          input = KvOp.cas(op.key, op.expected, op.value);
          output = Reply.applied(op.applied);
          break;
        case CREATE:
          input = KvOp.create(op.key, op.value);
          output = Reply.applied(op.applied);
          break;
        default:
          throw new AssertionError(op.kind);
      }
      history.add(operation(op, input, output));
    }
    return history.build();
  }

  static History<RegisterOp<Integer>, Reply<Integer>> toRegister(List<Op> ops) {
    History.Builder<RegisterOp<Integer>, Reply<Integer>> history = History.builder();
    for (Op op : ops) {
      RegisterOp<Integer> input;
      Reply<Integer> output;
      switch (op.kind) {
        case READ:
          input = RegisterOp.read();
          output = Reply.read(op.read);
          break;
        case WRITE:
          input = RegisterOp.write(op.value);
          output = Reply.ack();
          break;
        case CAS:
          input = RegisterOp.cas(op.expected, op.value);
          output = Reply.applied(op.applied);
          break;
        default:
          throw new AssertionError(op.kind);
      }
      history.add(operation(op, input, output));
    }
    return history.build();
  }

  private static <I> Operation<I, Reply<Integer>> operation(Op op, I input, Reply<Integer> output) {
    switch (op.status) {
      case OK:
        return Operation.ok(op.process, op.invoke, op.complete, input, output);
      case FAIL:
        return Operation.fail(op.process, op.invoke, op.complete, input);
      case INFO:
        return Operation.info(op.process, op.invoke, input);
    }
    throw new AssertionError(op.status);
  }
}
