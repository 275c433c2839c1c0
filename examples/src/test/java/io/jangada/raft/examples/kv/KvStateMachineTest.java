package io.jangada.raft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvStateMachineTest {

  private static final SnapshotMeta META =
      new SnapshotMeta(1, 1, Membership.ofVoters(NodeId.of("n1")));

  private final KvStateMachine kv = new KvStateMachine();
  private long index;

  private static Bytes b(String s) {
    return Bytes.ofUtf8(s);
  }

  private KvResult apply(KvStateMachine sm, KvRequest request) {
    return KvCodec.decodeResult(sm.apply(++index, KvCodec.encode(request)));
  }

  private KvResult apply(KvCommand command) {
    return apply(kv, KvRequest.of(command));
  }

  private static KvResult get(KvStateMachine sm, String key) {
    return KvCodec.decodeResult(sm.query(KvCodec.encode(new KvQuery.Get(b(key)))));
  }

  @Test
  void putGetDelete() {
    assertThat(get(kv, "a")).isEqualTo(new KvResult.NotFound());
    assertThat(apply(new KvCommand.Put(b("a"), b("1")))).isEqualTo(new KvResult.Ok());
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(b("1")));
    assertThat(apply(new KvCommand.Put(b("a"), b("2")))).isEqualTo(new KvResult.Ok());
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(b("2")));
    assertThat(apply(new KvCommand.Delete(b("a")))).isEqualTo(new KvResult.Ok());
    assertThat(get(kv, "a")).isEqualTo(new KvResult.NotFound());
    assertThat(apply(new KvCommand.Delete(b("a")))).isEqualTo(new KvResult.NotFound());
  }

  @Test
  void emptyValueIsAValue() {
    apply(new KvCommand.Put(b("a"), Bytes.EMPTY));
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(Bytes.EMPTY));
  }

  @Test
  void compareAndSetOnlyWhenTheValueMatches() {
    apply(new KvCommand.Put(b("a"), b("1")));
    assertThat(apply(new KvCommand.Cas(b("a"), Optional.of(b("0")), b("2"))))
        .isEqualTo(new KvResult.ConditionFailed(Optional.of(b("1"))));
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(b("1")));
    assertThat(apply(new KvCommand.Cas(b("a"), Optional.of(b("1")), b("2"))))
        .isEqualTo(new KvResult.Ok());
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(b("2")));
    assertThat(apply(new KvCommand.Cas(b("missing"), Optional.of(b("1")), b("2"))))
        .isEqualTo(new KvResult.ConditionFailed(Optional.empty()));
  }

  @Test
  void createOnlySucceedsOnceForAnAbsentKey() {
    assertThat(apply(new KvCommand.Cas(b("a"), Optional.empty(), b("first"))))
        .isEqualTo(new KvResult.Ok());
    assertThat(apply(new KvCommand.Cas(b("a"), Optional.empty(), b("second"))))
        .isEqualTo(new KvResult.ConditionFailed(Optional.of(b("first"))));
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(b("first")));
  }

  @Test
  void retryWithTheSameSessionReturnsTheOriginalResultWithoutReapplying() {
    ClientSession session = new ClientSession(b("client-1"), 1);
    KvRequest createOnly =
        KvRequest.of(new KvCommand.Cas(b("a"), Optional.empty(), b("x")), session);
    assertThat(apply(kv, createOnly)).isEqualTo(new KvResult.Ok());
    // Without the session, the retry would fail its condition; with it, the first answer repeats.
    assertThat(apply(kv, createOnly)).isEqualTo(new KvResult.Ok());
    // Another client changes the key; a late retry of the first request must not undo that.
    apply(new KvCommand.Put(b("a"), b("y")));
    assertThat(apply(kv, createOnly)).isEqualTo(new KvResult.Ok());
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(b("y")));
  }

  @Test
  void anOlderRequestOfASessionIsRejected() {
    apply(kv, KvRequest.of(new KvCommand.Put(b("a"), b("1")), new ClientSession(b("c"), 2)));
    KvResult old =
        apply(kv, KvRequest.of(new KvCommand.Put(b("a"), b("0")), new ClientSession(b("c"), 1)));
    assertThat(old).isInstanceOf(KvResult.Error.class);
    assertThat(get(kv, "a")).isEqualTo(new KvResult.Value(b("1")));
  }

  @Test
  void sessionsExpireAfterIdleEntriesDeterministically() {
    KvStateMachine small = new KvStateMachine(100, 3);
    ClientSession session = new ClientSession(b("c"), 1);
    KvRequest incr = KvRequest.of(new KvCommand.Cas(b("k"), Optional.empty(), b("v")), session);
    assertThat(apply(small, incr)).isEqualTo(new KvResult.Ok()); // index 1
    for (int i = 0; i < 3; i++) {
      apply(small, KvRequest.of(new KvCommand.Put(b("other"), b("" + i)))); // 2, 3, 4
    }
    assertThat(small.sessionCount()).isEqualTo(1); // idle for exactly 3 entries: kept
    apply(small, KvRequest.of(new KvCommand.Put(b("other"), b("x")))); // 5
    assertThat(small.sessionCount()).isZero();
    // Forgotten: the retry now runs again (and its create-only condition fails).
    assertThat(apply(small, incr)).isInstanceOf(KvResult.ConditionFailed.class);
  }

  @Test
  void theLeastRecentlyActiveSessionIsEvictedFirst() {
    KvStateMachine small = new KvStateMachine(2, 1_000);
    KvRequest a1 = KvRequest.of(new KvCommand.Put(b("a"), b("1")), new ClientSession(b("A"), 1));
    KvRequest b1 = KvRequest.of(new KvCommand.Put(b("b"), b("1")), new ClientSession(b("B"), 1));
    KvRequest a2 = KvRequest.of(new KvCommand.Put(b("a"), b("2")), new ClientSession(b("A"), 2));
    KvRequest c1 = KvRequest.of(new KvCommand.Put(b("c"), b("1")), new ClientSession(b("C"), 1));
    apply(small, a1);
    apply(small, b1);
    apply(small, a2); // A is now more recent than B
    apply(small, c1); // evicts B
    assertThat(small.sessionCount()).isEqualTo(2);
    // A's latest request is still deduplicated: a retry does not re-apply it.
    apply(small, KvRequest.of(new KvCommand.Put(b("a"), b("3"))));
    assertThat(apply(small, a2)).isEqualTo(new KvResult.Ok());
    assertThat(get(small, "a")).isEqualTo(new KvResult.Value(b("3")));
    // B was forgotten: its retry applies again.
    apply(small, KvRequest.of(new KvCommand.Put(b("b"), b("9"))));
    apply(small, b1);
    assertThat(get(small, "b")).isEqualTo(new KvResult.Value(b("1")));
  }

  @Test
  void sameCommandsGiveTheSameStateOnEveryReplica() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom random = new SplittableRandom(seed);
    KvStateMachine one = new KvStateMachine(5, 20);
    KvStateMachine two = new KvStateMachine(5, 20);
    for (int i = 1; i <= 2_000; i++) {
      Bytes command = KvCodec.encode(randomRequest(random));
      assertThat(two.apply(i, command))
          .as("seed %d index %d", seed, i)
          .isEqualTo(one.apply(i, command));
    }
    assertThat(snapshotBytes(two)).as("seed %d", seed).isEqualTo(snapshotBytes(one));
  }

  private static KvRequest randomRequest(SplittableRandom random) {
    Bytes key = b("k" + random.nextInt(10));
    Bytes value = b("v" + random.nextInt(3));
    KvCommand command;
    int kind = random.nextInt(4);
    if (kind == 0) {
      command = new KvCommand.Put(key, value);
    } else if (kind == 1) {
      command = new KvCommand.Delete(key);
    } else if (kind == 2) {
      command = new KvCommand.Cas(key, Optional.of(b("v" + random.nextInt(3))), value);
    } else {
      command = new KvCommand.Cas(key, Optional.empty(), value);
    }
    if (random.nextBoolean()) {
      return KvRequest.of(
          command, new ClientSession(b("c" + random.nextInt(8)), 1 + random.nextInt(5)));
    }
    return KvRequest.of(command);
  }

  @Test
  void snapshotRestorePreservesDataAndSessions() throws IOException {
    ClientSession session = new ClientSession(b("client"), 7);
    KvRequest createOnly =
        KvRequest.of(new KvCommand.Cas(b("a"), Optional.empty(), b("x")), session);
    apply(kv, createOnly);
    apply(new KvCommand.Put(b("b"), b("2")));
    StateMachineSnapshot snapshot = StateMachineSnapshot.of(kv);
    apply(new KvCommand.Put(b("c"), b("after the capture"))); // not in the snapshot

    KvStateMachine restored = new KvStateMachine();
    restored.apply(1, KvCodec.encode(KvRequest.of(new KvCommand.Put(b("stale"), b("gone")))));
    restored.restore(META, new ByteArrayInputStream(snapshot.bytes()));
    assertThat(get(restored, "a")).isEqualTo(new KvResult.Value(b("x")));
    assertThat(get(restored, "b")).isEqualTo(new KvResult.Value(b("2")));
    assertThat(get(restored, "c")).isEqualTo(new KvResult.NotFound());
    assertThat(get(restored, "stale")).isEqualTo(new KvResult.NotFound());
    // The retry after restore is still deduplicated: Ok, not ConditionFailed.
    assertThat(apply(restored, createOnly)).isEqualTo(new KvResult.Ok());
    assertThat(snapshotBytes(restored)).isEqualTo(snapshot.bytes());
  }

  @Test
  void corruptSnapshotIsRejectedAndLeavesTheStateUntouched() {
    apply(new KvCommand.Put(b("a"), b("1")));
    byte[] bytes = snapshotBytes(kv);
    KvStateMachine target = new KvStateMachine();
    target.apply(1, KvCodec.encode(KvRequest.of(new KvCommand.Put(b("keep"), b("me")))));
    for (int position : new int[] {0, 4, 9, bytes.length - 12, bytes.length - 1}) {
      byte[] corrupt = bytes.clone();
      corrupt[position] ^= 0x40;
      assertThatThrownBy(() -> target.restore(META, new ByteArrayInputStream(corrupt)))
          .as("flipped byte %d", position)
          .isInstanceOf(IOException.class);
    }
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> target.restore(META, new ByteArrayInputStream(truncated)))
        .isInstanceOf(IOException.class);
    assertThat(get(target, "keep")).isEqualTo(new KvResult.Value(b("me")));
  }

  @Test
  void malformedCommandBytesGiveAnErrorResultNotAnException() {
    Bytes good = KvCodec.encode(KvRequest.of(new KvCommand.Put(b("a"), b("1"))));
    for (Bytes bad :
        new Bytes[] {
          Bytes.EMPTY,
          b("garbage"),
          good.slice(0, good.size() - 1),
          Bytes.wrapUnsafe(new byte[] {1, 9, 0}),
          Bytes.wrapUnsafe(new byte[] {1, 1, 0, 0x7f, 0, 0, 0})
        }) {
      assertThat(KvCodec.decodeResult(kv.apply(++index, bad)))
          .as("apply %s", bad)
          .isInstanceOf(KvResult.Error.class);
    }
    assertThat(KvCodec.decodeResult(kv.query(b("nope")))).isInstanceOf(KvResult.Error.class);
    assertThat(kv.size()).isZero();
  }

  private static byte[] snapshotBytes(KvStateMachine sm) {
    return StateMachineSnapshot.of(sm).bytes();
  }

  /** A snapshot captured now and streamed to memory. */
  private record StateMachineSnapshot(byte[] bytes) {
    static StateMachineSnapshot of(KvStateMachine sm) {
      var writer = sm.snapshot();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        writer.writeTo(out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return new StateMachineSnapshot(out.toByteArray());
    }
  }
}
