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

  private KvResult apply(KvStateMachine sm, KvCommand command) {
    return KvCodec.decodeResult(sm.apply(++index, KvCodec.encode(command)));
  }

  private KvResult apply(KvCommand command) {
    return apply(kv, command);
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
  void sameCommandsGiveTheSameStateOnEveryReplica() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom random = new SplittableRandom(seed);
    KvStateMachine one = new KvStateMachine();
    KvStateMachine two = new KvStateMachine();
    for (int i = 1; i <= 2_000; i++) {
      Bytes command = KvCodec.encode(randomCommand(random));
      assertThat(two.apply(i, command))
          .as("seed %d index %d", seed, i)
          .isEqualTo(one.apply(i, command));
    }
    assertThat(snapshotBytes(two)).as("seed %d", seed).isEqualTo(snapshotBytes(one));
  }

  private static KvCommand randomCommand(SplittableRandom random) {
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
    return command;
  }

  @Test
  void snapshotRestorePreservesData() throws IOException {
    apply(new KvCommand.Cas(b("a"), Optional.empty(), b("x")));
    apply(new KvCommand.Put(b("b"), b("2")));
    StateMachineSnapshot snapshot = StateMachineSnapshot.of(kv);
    apply(new KvCommand.Put(b("c"), b("after the capture"))); // not in the snapshot

    KvStateMachine restored = new KvStateMachine();
    restored.apply(1, KvCodec.encode(new KvCommand.Put(b("stale"), b("gone"))));
    restored.restore(META, new ByteArrayInputStream(snapshot.bytes()));
    assertThat(get(restored, "a")).isEqualTo(new KvResult.Value(b("x")));
    assertThat(get(restored, "b")).isEqualTo(new KvResult.Value(b("2")));
    assertThat(get(restored, "c")).isEqualTo(new KvResult.NotFound());
    assertThat(get(restored, "stale")).isEqualTo(new KvResult.NotFound());
    assertThat(snapshotBytes(restored)).isEqualTo(snapshot.bytes());
  }

  @Test
  void aVersionOneSnapshotWithTheOldBuiltInSessionsStillRestores() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    java.util.zip.CheckedOutputStream checked =
        new java.util.zip.CheckedOutputStream(bytes, new java.util.zip.CRC32C());
    java.io.DataOutputStream out = new java.io.DataOutputStream(checked);
    out.writeInt(0x4a4b5653);
    out.writeByte(1);
    out.writeInt(1); // one entry
    writeBytes(out, "a");
    writeBytes(out, "1");
    out.writeInt(1); // one session: client id, request id, last index, result
    writeBytes(out, "client");
    out.writeLong(3);
    out.writeLong(9);
    writeBytes(out, "ok");
    out.writeLong(checked.getChecksum().getValue());
    out.flush();
    KvStateMachine restored = new KvStateMachine();
    restored.restore(META, new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(get(restored, "a")).isEqualTo(new KvResult.Value(b("1")));
    assertThat(restored.size()).isEqualTo(1);
  }

  private static void writeBytes(java.io.DataOutputStream out, String text) throws IOException {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Test
  void corruptSnapshotIsRejectedAndLeavesTheStateUntouched() {
    apply(new KvCommand.Put(b("a"), b("1")));
    byte[] bytes = snapshotBytes(kv);
    KvStateMachine target = new KvStateMachine();
    target.apply(1, KvCodec.encode(new KvCommand.Put(b("keep"), b("me"))));
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
    Bytes good = KvCodec.encode(new KvCommand.Put(b("a"), b("1")));
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
