package io.jangada.raft.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

/** {@link Bytes#copyTo}: copies at the target's position and advances it, or throws. */
class BytesCopyToTest {

  @Test
  void copiesAtThePositionAndAdvancesIt() {
    ByteBuffer target = ByteBuffer.allocate(8).put((byte) 9);
    Bytes.ofUtf8("abc").copyTo(target);
    Bytes.EMPTY.copyTo(target);
    assertThat(target.position()).isEqualTo(4);
    assertThat(target.array()).startsWith(9, 'a', 'b', 'c', 0);
  }

  @Test
  void throwsWithoutRoomOrOnAReadOnlyTarget() {
    assertThatThrownBy(() -> Bytes.ofUtf8("abc").copyTo(ByteBuffer.allocate(2)))
        .isInstanceOf(BufferOverflowException.class);
    assertThatThrownBy(() -> Bytes.ofUtf8("a").copyTo(ByteBuffer.allocate(2).asReadOnlyBuffer()))
        .isInstanceOf(ReadOnlyBufferException.class);
  }
}
