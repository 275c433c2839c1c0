package io.jangada.raft.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.jangada.raft.grpc.proto.RaftTransportGrpc;
import io.jangada.raft.grpc.proto.StreamAck;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * One frame on the sending side: an {@code Envelope} made of the sender's pre-encoded header fields
 * (cluster id, sender, address) followed by already encoded messages. Protobuf's wire format is a
 * sequence of fields, so the concatenation is exactly a serialized {@code Envelope} (with the
 * header fields first), which any receiver parses as before. Writing it copies each message's bytes
 * once, into gRPC's buffer ({@link Drainable}), with no per-frame protobuf objects. Immutable.
 */
final class OutboundFrame {

  /** The transport's stream method with this frame type as the request. */
  static final MethodDescriptor<OutboundFrame, StreamAck> METHOD =
      RaftTransportGrpc.getStreamMethod().toBuilder(
              new Marshaller(), ProtoUtils.marshaller(StreamAck.getDefaultInstance()))
          .build();

  private final byte[] header;
  private final List<OutboundMessage> messages;
  private final int size;

  /**
   * @param header the serialized header fields of the frame
   * @param messages at least one message; the list must not change afterwards
   */
  OutboundFrame(byte[] header, List<OutboundMessage> messages, int size) {
    this.header = header;
    this.messages = messages;
    this.size = size;
  }

  /** The frame's size in bytes. */
  int size() {
    return size;
  }

  /** Writes the frame's {@link #size} bytes to {@code out}. */
  void writeTo(OutputStream out) throws IOException {
    out.write(header);
    for (int i = 0; i < messages.size(); i++) { // indexed: no iterator per frame
      messages.get(i).writeTo(out);
    }
  }

  /** The frame's bytes (tests, and gRPC paths that read the stream instead of draining it). */
  byte[] toByteArray() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** Client side only: frames are written, never parsed, by this marshaller. */
  private static final class Marshaller implements MethodDescriptor.Marshaller<OutboundFrame> {
    @Override
    public InputStream stream(OutboundFrame frame) {
      return new FrameStream(frame);
    }

    @Override
    public OutboundFrame parse(InputStream stream) {
      throw new UnsupportedOperationException("the server parses frames as InboundFrame");
    }
  }

  /**
   * gRPC drains the stream into its buffer (one copy) and learns the length up front; the {@link
   * #read} methods are there for paths that read instead (they serialize into an array first).
   */
  private static final class FrameStream extends InputStream implements Drainable, KnownLength {
    private final OutboundFrame frame;
    private InputStream materialized; // once read() was used
    private boolean drained;

    FrameStream(OutboundFrame frame) {
      this.frame = frame;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (materialized != null) {
        return (int) materialized.transferTo(target);
      }
      if (drained) {
        return 0;
      }
      drained = true;
      frame.writeTo(target);
      return frame.size;
    }

    @Override
    public int available() throws IOException {
      if (materialized != null) {
        return materialized.available();
      }
      return drained ? 0 : frame.size;
    }

    @Override
    public int read() throws IOException {
      return materialize().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return materialize().read(b, off, len);
    }

    private InputStream materialize() {
      if (materialized == null) {
        materialized = new ByteArrayInputStream(drained ? new byte[0] : frame.toByteArray());
        drained = true;
      }
      return materialized;
    }
  }
}
