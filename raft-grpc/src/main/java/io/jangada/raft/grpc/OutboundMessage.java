package io.jangada.raft.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.grpc.proto.RaftMessage;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * One message in its wire form, ready to be written into a frame: exactly the bytes it adds to an
 * {@code Envelope} (the {@code messages} field's tag and length, then the {@code RaftMessage}).
 * Immutable and thread-safe.
 *
 * <p>An {@link AppendRequest} is encoded by hand, without protobuf builders or message objects, and
 * its entries' data is not copied: the small fields (headers, indexes, terms, lengths) go into one
 * array and the entries' {@link Bytes} are written between them, straight from the log's immutable
 * arrays into gRPC's buffer, when the frame is written. So the same entries sent to several
 * followers are never copied on the heap, once or per follower. The other frequent messages
 * (AppendResponse, Heartbeat, HeartbeatResponse: a few numbers) are written by hand into one array
 * too; the rest go through {@link ProtoCodec#encode} (they are rare). The bytes are what the
 * generated code would write for the same message (proto3: default values omitted, fields in number
 * order).
 */
final class OutboundMessage {

  private static final Bytes[] NO_DATA = new Bytes[0];
  private static final int[] NO_CUTS = new int[0];
  private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  // The small fields; data[k] goes between small[.. cuts[k]) and small[cuts[k] ..).
  private final byte[] small;
  private final Bytes[] data;
  private final int[] cuts;
  private final int size;

  private OutboundMessage(byte[] small, Bytes[] data, int[] cuts, int size) {
    this.small = small;
    this.data = data;
    this.cuts = cuts;
    this.size = size;
  }

  /**
   * The wire form of {@code message}.
   *
   * @throws IllegalArgumentException if it would be larger than 2 GiB
   */
  static OutboundMessage of(Message message) {
    if (message instanceof AppendRequest append) {
      return appendRequest(append);
    } else if (message instanceof Message.AppendResponse r) {
      return scalarBody(
          r,
          RaftMessage.APPEND_RESPONSE_FIELD_NUMBER,
          r.success() ? 1 : 0,
          r.matchIndex(),
          r.conflictIndex(),
          r.conflictTerm());
    } else if (message instanceof Message.Heartbeat h) {
      return scalarBody(h, RaftMessage.HEARTBEAT_FIELD_NUMBER, h.commit(), h.round(), 0, 0);
    } else if (message instanceof Message.HeartbeatResponse h) {
      return scalarBody(h, RaftMessage.HEARTBEAT_RESPONSE_FIELD_NUMBER, h.round(), 0, 0, 0);
    }
    RaftMessage proto = ProtoCodec.encode(message);
    int bodySize = proto.getSerializedSize();
    byte[] bytes =
        new byte[1 + CodedOutputStream.computeUInt32SizeNoTag(bodySize) + bodySize]; // tag 3: 1 B
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeMessage(Envelope.MESSAGES_FIELD_NUMBER, proto);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write into an array of the computed size", e);
    }
    out.checkNoSpaceLeft();
    return new OutboundMessage(bytes, NO_DATA, NO_CUTS, bytes.length);
  }

  /** The bytes this message adds to a frame. */
  int size() {
    return size;
  }

  /** Writes the message's bytes ({@link #size} of them) to {@code out}. */
  void writeTo(OutputStream out) throws IOException {
    int from = 0;
    for (int k = 0; k < data.length; k++) {
      out.write(small, from, cuts[k] - from);
      data[k].writeTo(out);
      from = cuts[k];
    }
    out.write(small, from, small.length - from);
  }

  /** A copy of the message's bytes (tests). */
  byte[] toByteArray() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  // --- AppendRequest by hand. Field numbers are those of raft.proto. ---

  private static OutboundMessage appendRequest(AppendRequest m) {
    List<LogEntry> entries = m.entries();
    long appendSize =
        uint64Size(1, m.prevLogIndex())
            + uint64Size(2, m.prevLogTerm())
            + uint64Size(4, m.leaderCommit());
    long dataBytes = 0;
    int dataCount = 0;
    for (int i = 0; i < entries.size(); i++) { // indexed (a RandomAccess list): no iterator
      LogEntry e = entries.get(i);
      int entrySize = entrySize(e);
      appendSize += 1 + CodedOutputStream.computeUInt32SizeNoTag(entrySize) + entrySize;
      if (!e.data().isEmpty()) {
        dataCount++;
        dataBytes += e.data().size();
      }
    }
    checkSize(appendSize);
    String from = m.from().value();
    String to = m.to().value();
    long messageSize =
        CodedOutputStream.computeStringSize(1, from)
            + CodedOutputStream.computeStringSize(2, to)
            + uint64Size(3, m.term())
            + 1 // tag 12
            + CodedOutputStream.computeUInt32SizeNoTag((int) appendSize)
            + appendSize;
    checkSize(messageSize);
    long total = 1 + CodedOutputStream.computeUInt32SizeNoTag((int) messageSize) + messageSize;
    checkSize(total);

    byte[] small = new byte[(int) (total - dataBytes)];
    Bytes[] data = dataCount == 0 ? NO_DATA : new Bytes[dataCount];
    int[] cuts = dataCount == 0 ? NO_CUTS : new int[dataCount];
    CodedOutputStream out = CodedOutputStream.newInstance(small);
    try {
      out.writeTag(Envelope.MESSAGES_FIELD_NUMBER, LENGTH_DELIMITED);
      out.writeUInt32NoTag((int) messageSize);
      out.writeString(1, from); // NodeId values are never empty
      out.writeString(2, to);
      writeUInt64(out, 3, m.term());
      out.writeTag(RaftMessage.APPEND_REQUEST_FIELD_NUMBER, LENGTH_DELIMITED);
      out.writeUInt32NoTag((int) appendSize);
      writeUInt64(out, 1, m.prevLogIndex());
      writeUInt64(out, 2, m.prevLogTerm());
      int k = 0;
      for (int i = 0; i < entries.size(); i++) {
        LogEntry e = entries.get(i);
        out.writeTag(3, LENGTH_DELIMITED);
        out.writeUInt32NoTag(entrySize(e));
        out.writeUInt64(1, e.index()); // >= 1
        out.writeUInt64(2, e.term()); // >= 1
        out.writeEnum(3, entryType(e));
        if (!e.data().isEmpty()) {
          out.writeTag(4, LENGTH_DELIMITED);
          out.writeUInt32NoTag(e.data().size());
          cuts[k] = out.getTotalBytesWritten();
          data[k++] = e.data();
        }
      }
      writeUInt64(out, 4, m.leaderCommit());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write into an array of the computed size", e);
    }
    out.checkNoSpaceLeft();
    return new OutboundMessage(small, data, cuts, (int) total);
  }

  /**
   * A message whose body has only varint fields, numbered 1 to 4 ({@code f1} to {@code f4}; a
   * boolean is 0 or 1): AppendResponse, Heartbeat, HeartbeatResponse.
   */
  private static OutboundMessage scalarBody(
      Message m, int bodyField, long f1, long f2, long f3, long f4) {
    int bodySize = uint64Size(1, f1) + uint64Size(2, f2) + uint64Size(3, f3) + uint64Size(4, f4);
    String from = m.from().value();
    String to = m.to().value();
    int messageSize =
        CodedOutputStream.computeStringSize(1, from)
            + CodedOutputStream.computeStringSize(2, to)
            + uint64Size(3, m.term())
            + CodedOutputStream.computeTagSize(bodyField)
            + CodedOutputStream.computeUInt32SizeNoTag(bodySize)
            + bodySize;
    byte[] bytes =
        new byte[1 + CodedOutputStream.computeUInt32SizeNoTag(messageSize) + messageSize];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeTag(Envelope.MESSAGES_FIELD_NUMBER, LENGTH_DELIMITED);
      out.writeUInt32NoTag(messageSize);
      out.writeString(1, from);
      out.writeString(2, to);
      writeUInt64(out, 3, m.term());
      out.writeTag(bodyField, LENGTH_DELIMITED); // a oneof body is written even when empty
      out.writeUInt32NoTag(bodySize);
      writeUInt64(out, 1, f1);
      writeUInt64(out, 2, f2);
      writeUInt64(out, 3, f3);
      writeUInt64(out, 4, f4);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write into an array of the computed size", e);
    }
    out.checkNoSpaceLeft();
    return new OutboundMessage(bytes, NO_DATA, NO_CUTS, bytes.length);
  }

  /** The size of one LogEntry message's body (index, term, type and, unless empty, data). */
  private static int entrySize(LogEntry e) {
    int size =
        CodedOutputStream.computeUInt64Size(1, e.index())
            + CodedOutputStream.computeUInt64Size(2, e.term())
            + CodedOutputStream.computeEnumSize(3, entryType(e));
    int dataSize = e.data().size();
    if (dataSize > 0) {
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(dataSize) + dataSize;
    }
    return size;
  }

  private static int entryType(LogEntry e) {
    switch (e.type()) {
      case COMMAND:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_COMMAND_VALUE;
      case NOOP:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_NOOP_VALUE;
      case MEMBERSHIP:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_MEMBERSHIP_VALUE;
      case SESSION:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_SESSION_VALUE;
      default:
        throw new AssertionError(e.type());
    }
  }

  /** proto3 omits a scalar field holding its default value. */
  private static int uint64Size(int field, long value) {
    return value == 0 ? 0 : CodedOutputStream.computeUInt64Size(field, value);
  }

  private static void writeUInt64(CodedOutputStream out, int field, long value) throws IOException {
    if (value != 0) {
      out.writeUInt64(field, value);
    }
  }

  private static void checkSize(long size) {
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("message of " + size + " bytes is too large to encode");
    }
  }
}
