package io.jangada.raft.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.grpc.proto.RaftMessage;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.ImmutableArray;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes a received {@code Envelope} straight into {@link Message} records. Thread-safe (a small
 * cache per thread).
 *
 * <p>The frame's header fields and the frequent messages (AppendRequest, AppendResponse, Heartbeat,
 * HeartbeatResponse) are read by hand with protobuf's {@link CodedInputStream}: no protobuf message
 * objects, each entry's data copied once, from the frame into the entry's own array, and the few
 * strings every frame repeats (cluster id, node ids, address) compared in place and reused ({@code
 * StringCache}). Every other message (and a frequent one in an unusual shape, e.g. with two bodies)
 * is parsed by the generated code and decoded by {@link ProtoCodec#decode}, so the rules are
 * protobuf's either way: fields in any order, unknown fields and fields of an unexpected wire type
 * skipped, the last value of a repeated scalar wins, strings must be UTF-8. Input is untrusted:
 * bytes that are not a valid {@code Envelope} make the whole frame malformed (as the generated
 * parser would), and a message that parses but does not make a valid record is rejected alone
 * ({@link InboundFrame.Rejected}).
 */
final class FrameDecoder {

  private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int VARINT = WireFormat.WIRETYPE_VARINT;

  private static final int ENVELOPE_CLUSTER_ID = tag(1, LENGTH_DELIMITED);
  private static final int ENVELOPE_SENDER = tag(2, LENGTH_DELIMITED);
  private static final int ENVELOPE_MESSAGE = tag(Envelope.MESSAGES_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final int ENVELOPE_ADDRESS = tag(4, LENGTH_DELIMITED);

  private static final int MESSAGE_FROM = tag(1, LENGTH_DELIMITED);
  private static final int MESSAGE_TO = tag(2, LENGTH_DELIMITED);
  private static final int MESSAGE_TERM = tag(3, VARINT);
  private static final int MESSAGE_APPEND =
      tag(RaftMessage.APPEND_REQUEST_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final int MESSAGE_APPEND_RESPONSE =
      tag(RaftMessage.APPEND_RESPONSE_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final int MESSAGE_HEARTBEAT =
      tag(RaftMessage.HEARTBEAT_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final int MESSAGE_HEARTBEAT_RESPONSE =
      tag(RaftMessage.HEARTBEAT_RESPONSE_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final int FIRST_BODY = RaftMessage.VOTE_REQUEST_FIELD_NUMBER;
  private static final int LAST_BODY = RaftMessage.FORWARD_PROPOSAL_FIELD_NUMBER;

  private static final int APPEND_PREV_INDEX = tag(1, VARINT);
  private static final int APPEND_PREV_TERM = tag(2, VARINT);
  private static final int APPEND_ENTRY = tag(3, LENGTH_DELIMITED);
  private static final int APPEND_COMMIT = tag(4, VARINT);

  private static final int ENTRY_INDEX = tag(1, VARINT);
  private static final int ENTRY_TERM = tag(2, VARINT);
  private static final int ENTRY_TYPE = tag(3, VARINT);
  private static final int ENTRY_DATA = tag(4, LENGTH_DELIMITED);

  private static final ThreadLocal<StringCache> STRINGS = ThreadLocal.withInitial(StringCache::new);

  private FrameDecoder() {}

  /** A field's tag (protobuf's {@code WireFormat.makeTag} is not public). */
  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /**
   * Decodes the first {@code length} bytes of {@code frame}. Nothing returned refers to {@code
   * frame}, so the caller may reuse it.
   *
   * @throws InvalidProtocolBufferException if the bytes are not a valid {@code Envelope}
   */
  static InboundFrame decode(byte[] frame, int length) throws InvalidProtocolBufferException {
    try {
      return decodeFrame(frame, length);
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) { // not thrown when reading an array; declared by CodedInputStream
      throw new InvalidProtocolBufferException(e.getMessage());
    }
  }

  private static InboundFrame decodeFrame(byte[] frame, int length) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(frame, 0, length);
    StringCache strings = STRINGS.get();
    String clusterId = "";
    String sender = "";
    String address = "";
    List<Object> messages = new ArrayList<>(2); // mostly one message per frame
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      } else if (tag == ENVELOPE_CLUSTER_ID) {
        clusterId = strings.values[strings.read(in, frame, length)];
      } else if (tag == ENVELOPE_SENDER) {
        sender = strings.values[strings.read(in, frame, length)];
      } else if (tag == ENVELOPE_ADDRESS) {
        address = strings.values[strings.read(in, frame, length)];
      } else if (tag == ENVELOPE_MESSAGE) {
        int size = in.readRawVarint32();
        int start = in.getTotalBytesRead();
        int limit = in.pushLimit(size); // throws on a negative or too large size
        messages.add(decodeMessage(in, strings, frame, start, size));
        in.popLimit(limit);
      } else if (!in.skipField(tag)) {
        throw new InvalidProtocolBufferException("frame ends with an end-group tag");
      }
    }
    return new InboundFrame("", clusterId, sender, address, messages);
  }

  /**
   * One {@code RaftMessage}: {@code in} is limited to it; it starts at {@code start} in {@code
   * frame} and has {@code size} bytes. Reads {@code in} to the limit.
   */
  private static Object decodeMessage(
      CodedInputStream in, StringCache strings, byte[] frame, int start, int size)
      throws IOException {
    NodeId from = null; // null: absent or not a valid id
    NodeId to = null;
    long term = 0;
    int body = 0; // the field number of the body read by hand
    AppendFields append = null;
    long[] scalars = null;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      } else if (tag == MESSAGE_FROM) {
        from = strings.ids[strings.read(in, frame, start + size)];
      } else if (tag == MESSAGE_TO) {
        to = strings.ids[strings.read(in, frame, start + size)];
      } else if (tag == MESSAGE_TERM) {
        term = in.readUInt64();
      } else if (tag == MESSAGE_APPEND && body == 0) {
        body = RaftMessage.APPEND_REQUEST_FIELD_NUMBER;
        int length = in.readRawVarint32();
        int limit = in.pushLimit(length);
        append = readAppend(in);
        in.checkLastTagWas(0);
        in.popLimit(limit);
      } else if ((tag == MESSAGE_APPEND_RESPONSE
              || tag == MESSAGE_HEARTBEAT
              || tag == MESSAGE_HEARTBEAT_RESPONSE)
          && body == 0) {
        body = WireFormat.getTagFieldNumber(tag);
        int length = in.readRawVarint32();
        int limit = in.pushLimit(length);
        scalars = readScalars(in);
        in.checkLastTagWas(0);
        in.popLimit(limit);
      } else {
        int field = WireFormat.getTagFieldNumber(tag);
        // Another body (or a second one), which the generated code knows, or an end-group tag,
        // which it rejects exactly as before.
        if ((field >= FIRST_BODY && field <= LAST_BODY) || !in.skipField(tag)) {
          in.skipRawBytes(in.getBytesUntilLimit());
          return generated(frame, start, size);
        }
      }
    }
    if (body == 0) {
      return generated(frame, start, size); // no body: ProtoCodec rejects it
    }
    String kind = RaftMessage.BodyCase.forNumber(body).name();
    if (append != null && append.error != null) {
      return new InboundFrame.Rejected("invalid " + kind + ": " + append.error);
    }
    if (from == null || to == null) {
      return new InboundFrame.Rejected("invalid " + kind + ": from or to is not a valid node id");
    }
    try {
      switch (body) {
        case RaftMessage.APPEND_REQUEST_FIELD_NUMBER:
          return new Message.AppendRequest(
              from, to, term, append.prevIndex, append.prevTerm, append.entries(), append.commit);
        case RaftMessage.APPEND_RESPONSE_FIELD_NUMBER:
          return new Message.AppendResponse(
              from, to, term, scalars[1] != 0, scalars[2], scalars[3], scalars[4]);
        case RaftMessage.HEARTBEAT_FIELD_NUMBER:
          return new Message.Heartbeat(from, to, term, scalars[1], scalars[2]);
        default:
          return new Message.HeartbeatResponse(from, to, term, scalars[1]);
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      return new InboundFrame.Rejected("invalid " + kind + ": " + e.getMessage());
    }
  }

  /**
   * A body of varint fields numbered 1 to 4 (AppendResponse, Heartbeat, HeartbeatResponse; a bool
   * is a varint): their values by field number, 0 when absent.
   */
  private static long[] readScalars(CodedInputStream in) throws IOException {
    long[] values = new long[5];
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return values;
      }
      int field = WireFormat.getTagFieldNumber(tag);
      if (WireFormat.getTagWireType(tag) == VARINT && field >= 1 && field <= 4) {
        values[field] = in.readRawVarint64();
      } else if (!in.skipField(tag)) {
        return values; // an end-group tag; checkLastTagWas rejects it
      }
    }
  }

  /**
   * The strings this thread decoded recently (cluster id, node ids, addresses: the same few in
   * every frame), so that a repeated one is compared in place instead of decoded and allocated
   * again, and a node id is validated once. Replaced round-robin; input never makes it grow.
   */
  private static final class StringCache {
    private static final int SLOTS = 16;
    private final byte[][] utf8 = new byte[SLOTS][];
    final String[] values = new String[SLOTS];
    final NodeId[] ids = new NodeId[SLOTS]; // null where the value is not a valid node id
    private final CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int next;

    /**
     * Reads a length-delimited UTF-8 string field's value at {@code in}'s position in {@code frame}
     * (which it may not read beyond {@code end}) and returns its slot.
     *
     * @throws InvalidProtocolBufferException if it is truncated or not valid UTF-8
     */
    int read(CodedInputStream in, byte[] frame, int end) throws IOException {
      int size = in.readRawVarint32();
      int at = in.getTotalBytesRead();
      int untilLimit = in.getBytesUntilLimit(); // -1: no limit
      if (size < 0 || size > end - at || (untilLimit >= 0 && size > untilLimit)) {
        throw new InvalidProtocolBufferException("a string field is truncated");
      }
      for (int slot = 0; slot < SLOTS; slot++) {
        byte[] known = utf8[slot];
        if (known != null
            && known.length == size
            && Arrays.equals(known, 0, size, frame, at, at + size)) {
          in.skipRawBytes(size);
          return slot;
        }
      }
      byte[] bytes = Arrays.copyOfRange(frame, at, at + size);
      String value;
      try {
        value = decoder.reset().decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new InvalidProtocolBufferException("a string field is not valid UTF-8");
      }
      in.skipRawBytes(size);
      int slot = next;
      next = (next + 1) % SLOTS;
      utf8[slot] = bytes;
      values[slot] = value;
      ids[slot] = nodeIdOrNull(value);
      return slot;
    }

    private static NodeId nodeIdOrNull(String value) {
      try {
        return new NodeId(value);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  /** The fields of an AppendRequest body; {@code error} is the first invalid entry's problem. */
  private static final class AppendFields {
    long prevIndex;
    long prevTerm;
    long commit;
    private LogEntry first; // the first entry; a list only from the second on
    private List<LogEntry> all;
    String error;

    void add(LogEntry entry) {
      if (first == null) {
        first = entry;
      } else {
        if (all == null) {
          all = new ArrayList<>();
          all.add(first);
        }
        all.add(entry);
      }
    }

    /**
     * The entries as a list that {@code AppendRequest} keeps without copying when there are none or
     * one (an {@link ImmutableArray}); commit-only and single-entry requests, the most frequent at
     * low load, then allocate no list of their own.
     */
    List<LogEntry> entries() {
      return all != null ? all : first != null ? ImmutableArray.of(first) : ImmutableArray.of();
    }
  }

  private static AppendFields readAppend(CodedInputStream in) throws IOException {
    AppendFields a = new AppendFields();
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return a;
      } else if (tag == APPEND_PREV_INDEX) {
        a.prevIndex = in.readUInt64();
      } else if (tag == APPEND_PREV_TERM) {
        a.prevTerm = in.readUInt64();
      } else if (tag == APPEND_COMMIT) {
        a.commit = in.readUInt64();
      } else if (tag == APPEND_ENTRY) {
        int length = in.readRawVarint32();
        int limit = in.pushLimit(length);
        readEntry(in, a);
        in.checkLastTagWas(0);
        in.popLimit(limit);
      } else if (!in.skipField(tag)) {
        return a; // an end-group tag; checkLastTagWas rejects it
      }
    }
  }

  private static void readEntry(CodedInputStream in, AppendFields a) throws IOException {
    long index = 0;
    long term = 0;
    int type = 0;
    byte[] data = null;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      } else if (tag == ENTRY_INDEX) {
        index = in.readUInt64();
      } else if (tag == ENTRY_TERM) {
        term = in.readUInt64();
      } else if (tag == ENTRY_TYPE) {
        type = in.readEnum();
      } else if (tag == ENTRY_DATA) {
        data = in.readByteArray(); // a fresh array of exactly the data
      } else if (!in.skipField(tag)) {
        return; // an end-group tag; checkLastTagWas rejects it
      }
    }
    if (a.error != null) {
      return;
    }
    EntryType entryType = entryType(type);
    if (entryType == null) {
      a.error = "unknown entry type " + type;
      return;
    }
    try {
      a.add(
          new LogEntry(
              index, term, entryType, data == null ? Bytes.EMPTY : Bytes.wrapUnsafe(data)));
    } catch (IllegalArgumentException e) {
      a.error = e.getMessage();
    }
  }

  private static EntryType entryType(int number) {
    switch (number) {
      case io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_COMMAND_VALUE:
        return EntryType.COMMAND;
      case io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_NOOP_VALUE:
        return EntryType.NOOP;
      case io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_MEMBERSHIP_VALUE:
        return EntryType.MEMBERSHIP;
      case io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_SESSION_VALUE:
        return EntryType.SESSION;
      default:
        return null;
    }
  }

  /** Parses one message with the generated code and decodes it with {@link ProtoCodec}. */
  private static Object generated(byte[] frame, int start, int size)
      throws InvalidProtocolBufferException {
    RaftMessage proto = RaftMessage.parser().parseFrom(frame, start, size);
    try {
      return ProtoCodec.decode(proto);
    } catch (ProtoCodec.MalformedMessageException e) {
      return new InboundFrame.Rejected(e.getMessage());
    }
  }
}
