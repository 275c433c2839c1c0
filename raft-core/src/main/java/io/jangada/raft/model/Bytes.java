package io.jangada.raft.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable sequence of bytes with value semantics: the payload of commands, results, entries
 * and snapshot chunks. Records hold {@code Bytes} instead of {@code byte[]} so that {@code equals}
 * and immutability hold.
 *
 * <p>Thread-safe. Every factory copies its input; every accessor that returns an array copies it.
 */
public final class Bytes implements Comparable<Bytes> {

  /** The empty byte string. */
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] bytes;
  private int hash; // cached; 0 means not yet computed (or a real hash of 0, recomputed cheaply)

  private Bytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}. */
  public static Bytes copyOf(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
  }

  /** A copy of {@code length} bytes of {@code bytes} starting at {@code offset}. */
  public static Bytes copyOf(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(bytes, offset, offset + length));
  }

  /** A copy of the remaining bytes of {@code buffer}; the buffer's position is not changed. */
  public static Bytes copyOf(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] copy = new byte[view.remaining()];
    view.get(copy);
    return copy.length == 0 ? EMPTY : new Bytes(copy);
  }

  /** The UTF-8 encoding of {@code text}. */
  public static Bytes ofUtf8(String text) {
    return wrapUnsafe(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads {@code in} to its end. Does not close it. */
  public static Bytes readFrom(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return wrapUnsafe(out.toByteArray());
  }

  /**
   * Wraps {@code bytes} without copying. The caller must never modify the array afterwards. Meant
   * for codecs that have just allocated the array; prefer {@link #copyOf(byte[])} everywhere else.
   */
  public static Bytes wrapUnsafe(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new Bytes(bytes);
  }

  /** The number of bytes. */
  public int size() {
    return bytes.length;
  }

  /** Whether this is the empty byte string. */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /** The byte at {@code index}. */
  public byte byteAt(int index) {
    return bytes[index];
  }

  /** A fresh copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** A read-only view of the bytes, positioned at 0. */
  public ByteBuffer asReadOnlyByteBuffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /**
   * Copies the bytes into {@code target} at its position and advances the position by {@link
   * #size}, without allocating (for encoders that fill a reused buffer).
   *
   * @throws java.nio.BufferOverflowException if {@code target} has less room than {@link #size}
   * @throws java.nio.ReadOnlyBufferException if {@code target} is read-only
   */
  public void copyTo(ByteBuffer target) {
    target.put(bytes);
  }

  /** Writes the bytes to {@code out}. */
  public void writeTo(java.io.OutputStream out) throws IOException {
    out.write(bytes);
  }

  /** A copy of the bytes from {@code fromInclusive} to {@code toExclusive}. */
  public Bytes slice(int fromInclusive, int toExclusive) {
    Objects.checkFromToIndex(fromInclusive, toExclusive, bytes.length);
    return copyOf(bytes, fromInclusive, toExclusive - fromInclusive);
  }

  /** Decodes the bytes as UTF-8 (malformed input is replaced, never thrown). */
  public String toUtf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(bytes);
      hash = h;
    }
    return h;
  }

  /** Unsigned lexicographic order. */
  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  /** Printable ASCII is shown as text in quotes, anything else as hex; long values are cut. */
  @Override
  public String toString() {
    boolean printable = true;
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        printable = false;
        break;
      }
    }
    int shown = Math.min(bytes.length, 32);
    StringBuilder sb = new StringBuilder();
    if (printable) {
      sb.append('"').append(new String(bytes, 0, shown, StandardCharsets.US_ASCII)).append('"');
    } else {
      sb.append("0x");
      for (int i = 0; i < shown; i++) {
        sb.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16))
            .append(Character.forDigit(bytes[i] & 0xf, 16));
      }
    }
    if (shown < bytes.length) {
      sb.append("…(").append(bytes.length).append(" bytes)");
    }
    return sb.toString();
  }
}
