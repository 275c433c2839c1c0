package io.jangada.raft.examples.kv;

import io.jangada.raft.model.Bytes;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The compact binary form of requests, queries and results. Every message starts with a format
 * version byte, so that a newer node can still read entries an older one wrote; byte strings are
 * length-prefixed (4-byte big-endian length).
 *
 * <pre>
 * command: version=1 | kind (1 put, 2 delete, 3 cas) | flags (bit 1: cas expects a value)
 *          | key | [value (put, cas)] | [expected (cas)]
 * query:   version=1 | kind (16 get) | key
 * result:  version=1 | tag (1 ok, 2 value, 3 not found, 4 condition failed, 5 error) | payload
 * </pre>
 *
 * <p>Exactly-once retries are the library's client sessions ({@code RaftNode.propose(Bytes,
 * SessionInfo)}), so a command carries no session of its own. Flag bit 0 marked the session this
 * example kept before the library had sessions ({@code clientId, requestId (8 bytes)} after the
 * flags); such entries, left in an old data directory's log, still decode: the session is skipped
 * and the command applies as a plain one.
 *
 * <p>Decoding never trusts its input: any malformed byte string raises {@link MalformedException}.
 * Thread-safe (stateless).
 */
public final class KvCodec {

  static final byte VERSION = 1;

  /** Longest key accepted, in bytes. */
  public static final int MAX_KEY_BYTES = 4096;

  /**
   * What a command adds to its value at most: the key, a CAS's expected value (it comes from the
   * URL, which the HTTP server bounds to a few KiB), the library's session header and the framing.
   */
  public static final int MAX_ENVELOPE_BYTES = MAX_KEY_BYTES + 32 * 1024;

  /**
   * The largest encoded command for values of at most {@code maxValueBytes}: the node's {@code
   * maxProposalBytes} must be at least this, or a value of exactly the maximum could never be
   * written.
   */
  public static int maxCommandBytes(int maxValueBytes) {
    return Math.addExact(maxValueBytes, MAX_ENVELOPE_BYTES);
  }

  private static final byte PUT = 1;
  private static final byte DELETE = 2;
  private static final byte CAS = 3;
  private static final byte GET = 16;
  private static final byte FLAG_LEGACY_SESSION = 1;
  private static final byte FLAG_EXPECTED = 2;

  private static final byte OK = 1;
  private static final byte VALUE = 2;
  private static final byte NOT_FOUND = 3;
  private static final byte CONDITION_FAILED = 4;
  private static final byte ERROR = 5;

  private KvCodec() {}

  /** The input is not a valid encoding. */
  public static final class MalformedException extends IllegalArgumentException {
    MalformedException(String message) {
      super(message);
    }
  }

  /** Encodes a write for {@code RaftNode.propose}. */
  public static Bytes encode(KvCommand command) {
    Writer w = new Writer();
    w.u8(VERSION);
    byte flags = 0;
    if (command instanceof KvCommand.Cas cas && cas.expected().isPresent()) {
      flags |= FLAG_EXPECTED;
    }
    if (command instanceof KvCommand.Put) {
      w.u8(PUT);
    } else if (command instanceof KvCommand.Delete) {
      w.u8(DELETE);
    } else if (command instanceof KvCommand.Cas) {
      w.u8(CAS);
    } else {
      throw new AssertionError(command);
    }
    w.u8(flags);
    w.bytes(command.key());
    if (command instanceof KvCommand.Put put) {
      w.bytes(put.value());
    } else if (command instanceof KvCommand.Cas cas) {
      w.bytes(cas.value());
      cas.expected().ifPresent(w::bytes);
    }
    return w.toBytes();
  }

  /**
   * Decodes a write.
   *
   * @throws MalformedException if {@code data} is not a valid encoding
   */
  public static KvCommand decodeCommand(Bytes data) {
    return decode(
        data,
        in -> {
          byte kind = in.get();
          byte flags = in.get();
          if ((flags & ~(FLAG_LEGACY_SESSION | FLAG_EXPECTED)) != 0) {
            throw new MalformedException("unknown flags " + flags);
          }
          if ((flags & FLAG_LEGACY_SESSION) != 0) {
            bytes(in); // client id
            in.getLong(); // request id
          }
          Bytes key = key(in);
          KvCommand command;
          if (kind == PUT) {
            Bytes value = bytes(in);
            command = new KvCommand.Put(key, value);
          } else if (kind == DELETE) {
            command = new KvCommand.Delete(key);
          } else if (kind == CAS) {
            Bytes value = bytes(in);
            Optional<Bytes> expected =
                (flags & FLAG_EXPECTED) != 0 ? Optional.of(bytes(in)) : Optional.empty();
            command = new KvCommand.Cas(key, expected, value);
          } else {
            throw new MalformedException("unknown command kind " + kind);
          }
          return command;
        });
  }

  /** Encodes a query for {@code RaftNode.query}. */
  public static Bytes encode(KvQuery query) {
    if (!(query instanceof KvQuery.Get get)) {
      throw new AssertionError(query);
    }
    Writer w = new Writer();
    w.u8(VERSION);
    w.u8(GET);
    w.bytes(get.key());
    return w.toBytes();
  }

  /**
   * Decodes a query.
   *
   * @throws MalformedException if {@code data} is not a valid encoding
   */
  public static KvQuery decodeQuery(Bytes data) {
    return decode(
        data,
        in -> {
          byte kind = in.get();
          if (kind != GET) {
            throw new MalformedException("unknown query kind " + kind);
          }
          return new KvQuery.Get(key(in));
        });
  }

  /** Encodes a result. */
  public static Bytes encode(KvResult result) {
    Writer w = new Writer();
    w.u8(VERSION);
    if (result instanceof KvResult.Ok) {
      w.u8(OK);
    } else if (result instanceof KvResult.Value value) {
      w.u8(VALUE);
      w.bytes(value.value());
    } else if (result instanceof KvResult.NotFound) {
      w.u8(NOT_FOUND);
    } else if (result instanceof KvResult.ConditionFailed failed) {
      w.u8(CONDITION_FAILED);
      w.u8(failed.current().isPresent() ? (byte) 1 : (byte) 0);
      failed.current().ifPresent(w::bytes);
    } else if (result instanceof KvResult.Error error) {
      w.u8(ERROR);
      w.bytes(Bytes.ofUtf8(error.message()));
    } else {
      throw new AssertionError(result);
    }
    return w.toBytes();
  }

  /**
   * Decodes a result.
   *
   * @throws MalformedException if {@code data} is not a valid encoding
   */
  public static KvResult decodeResult(Bytes data) {
    return decode(
        data,
        in -> {
          byte tag = in.get();
          if (tag == OK) {
            return new KvResult.Ok();
          } else if (tag == VALUE) {
            return new KvResult.Value(bytes(in));
          } else if (tag == NOT_FOUND) {
            return new KvResult.NotFound();
          } else if (tag == CONDITION_FAILED) {
            byte present = in.get();
            return new KvResult.ConditionFailed(
                present == 0 ? Optional.empty() : Optional.of(bytes(in)));
          } else if (tag == ERROR) {
            return new KvResult.Error(bytes(in).toUtf8());
          }
          throw new MalformedException("unknown result tag " + tag);
        });
  }

  private interface Body<T> {
    T read(ByteBuffer in);
  }

  private static <T> T decode(Bytes data, Body<T> body) {
    ByteBuffer in = data.asReadOnlyByteBuffer();
    try {
      byte version = in.get();
      if (version != VERSION) {
        throw new MalformedException("unknown format version " + version);
      }
      T value = body.read(in);
      if (in.hasRemaining()) {
        throw new MalformedException(in.remaining() + " trailing bytes");
      }
      return value;
    } catch (BufferUnderflowException e) {
      throw new MalformedException("truncated input (" + data.size() + " bytes)");
    }
  }

  private static Bytes key(ByteBuffer in) {
    Bytes key = bytes(in);
    if (key.isEmpty() || key.size() > MAX_KEY_BYTES) {
      throw new MalformedException("key must have 1 to " + MAX_KEY_BYTES + " bytes");
    }
    return key;
  }

  private static Bytes bytes(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new MalformedException("bad length " + length + " (" + in.remaining() + " left)");
    }
    Bytes value = Bytes.copyOf(in.slice().limit(length));
    in.position(in.position() + length);
    return value;
  }

  /** A growable big-endian buffer. */
  private static final class Writer {
    private ByteBuffer buffer = ByteBuffer.allocate(64);

    void u8(byte value) {
      ensure(1);
      buffer.put(value);
    }

    void bytes(Bytes value) {
      ensure(4 + value.size());
      buffer.putInt(value.size());
      buffer.put(value.asReadOnlyByteBuffer());
    }

    private void ensure(int extra) {
      if (buffer.remaining() < extra) {
        int capacity = Math.max(buffer.capacity() * 2, buffer.position() + extra);
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        buffer.flip();
        bigger.put(buffer);
        buffer = bigger;
      }
    }

    Bytes toBytes() {
      byte[] out = new byte[buffer.position()];
      buffer.flip();
      buffer.get(out);
      return Bytes.wrapUnsafe(out);
    }
  }
}
