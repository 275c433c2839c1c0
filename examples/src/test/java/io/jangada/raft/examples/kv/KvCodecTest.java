package io.jangada.raft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvCodecTest {

  private static Bytes b(String s) {
    return Bytes.ofUtf8(s);
  }

  @Test
  void commandsRoundTrip() {
    List<KvCommand> commands =
        List.of(
            new KvCommand.Put(b("k"), b("v")),
            new KvCommand.Put(b("k"), Bytes.EMPTY),
            new KvCommand.Delete(b("k")),
            new KvCommand.Cas(b("k"), Optional.of(b("old")), b("new")),
            new KvCommand.Cas(b("k"), Optional.empty(), b("new")));
    for (KvCommand command : commands) {
      assertThat(KvCodec.decodeCommand(KvCodec.encode(command))).isEqualTo(command);
    }
  }

  @Test
  void aCommandWithTheOldBuiltInSessionStillDecodesWithoutIt() {
    // version 1 | put | flags: session | client id "c" | request id 7 | key "k" | value "v"
    ByteBuffer old = ByteBuffer.allocate(3 + 4 + 1 + 8 + 4 + 1 + 4 + 1);
    old.put((byte) 1).put((byte) 1).put((byte) 1);
    old.putInt(1).put((byte) 'c').putLong(7);
    old.putInt(1).put((byte) 'k').putInt(1).put((byte) 'v');
    assertThat(KvCodec.decodeCommand(Bytes.wrapUnsafe(old.array())))
        .isEqualTo(new KvCommand.Put(b("k"), b("v")));
  }

  @Test
  void queriesAndResultsRoundTrip() {
    KvQuery get = new KvQuery.Get(b("key"));
    assertThat(KvCodec.decodeQuery(KvCodec.encode(get))).isEqualTo(get);
    for (KvResult result :
        List.of(
            new KvResult.Ok(),
            new KvResult.NotFound(),
            new KvResult.Value(b("v")),
            new KvResult.ConditionFailed(Optional.empty()),
            new KvResult.ConditionFailed(Optional.of(b("cur"))),
            new KvResult.Error("bad ✓"))) {
      assertThat(KvCodec.decodeResult(KvCodec.encode(result))).isEqualTo(result);
    }
  }

  @Test
  void encodingIsCompact() {
    // 16-byte key, 100-byte value: the BENCHMARK.md workload.
    Bytes command = KvCodec.encode(new KvCommand.Put(b("k".repeat(16)), b("v".repeat(100))));
    assertThat(command.size()).isEqualTo(3 + 4 + 16 + 4 + 100);
    assertThat(KvCodec.encode(new KvResult.Ok()).size()).isEqualTo(2);
  }

  @Test
  void unknownVersionIsRejected() {
    byte[] bytes = KvCodec.encode(new KvCommand.Delete(b("k"))).toByteArray();
    bytes[0] = 2;
    assertThatThrownBy(() -> KvCodec.decodeCommand(Bytes.wrapUnsafe(bytes)))
        .isInstanceOf(KvCodec.MalformedException.class)
        .hasMessageContaining("version");
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButMalformed() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom random = new SplittableRandom(seed);
    Bytes valid = KvCodec.encode(new KvCommand.Cas(b("key"), Optional.of(b("a")), b("b")));
    for (int i = 0; i < 5_000; i++) {
      byte[] bytes = valid.toByteArray();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      int length = random.nextInt(bytes.length + 1);
      Bytes input = Bytes.copyOf(bytes, 0, length);
      try {
        KvCodec.decodeCommand(input);
      } catch (KvCodec.MalformedException expected) {
        // fine
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " input " + input + ": " + e, e);
      }
    }
  }
}
