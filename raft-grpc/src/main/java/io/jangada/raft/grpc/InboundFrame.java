package io.jangada.raft.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.jangada.raft.model.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One received frame, decoded: the {@code Envelope}'s header fields and, in order, each message as
 * a {@link Message} or a {@link Rejected} (it did not decode to a valid message), or why the frame
 * as a whole could not be parsed ({@link #error} non-empty). The server decodes frames itself
 * (through {@link #MARSHALLER}, with {@link FrameDecoder}) so that one undecodable frame is
 * rejected alone instead of failing the whole stream, which gRPC does when its own marshaller
 * throws.
 *
 * @param error why the frame could not be parsed; empty for a parsed frame
 * @param messages each a {@link Message} or a {@link Rejected}
 */
record InboundFrame(
    String error, String clusterId, String sender, String senderAddress, List<Object> messages) {

  /** A message of the frame that does not decode to a valid {@link Message}. */
  record Rejected(String reason) {}

  /** Frames up to this size are read into a buffer kept per thread (gRPC's marshaller does too). */
  private static final int KEPT_BUFFER_BYTES = 512 * 1024;

  private static final ThreadLocal<byte[]> buffers = new ThreadLocal<>();

  /** A frame that could not be parsed. */
  static InboundFrame malformed(String error) {
    return new InboundFrame(error, "", "", "", List.of());
  }

  /** Whether the frame parsed (its messages may still be rejected one by one). */
  boolean parsed() {
    return error.isEmpty();
  }

  /** Decodes frames; never throws for bad input. */
  static final MethodDescriptor.Marshaller<InboundFrame> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InboundFrame frame) {
          throw new UnsupportedOperationException("frames are sent as OutboundFrame");
        }

        @Override
        public InboundFrame parse(InputStream stream) {
          try {
            if (stream instanceof KnownLength) {
              int size = stream.available();
              byte[] buffer = size <= KEPT_BUFFER_BYTES ? buffers.get() : null;
              if (buffer == null || buffer.length < size) {
                buffer = new byte[size <= KEPT_BUFFER_BYTES ? Math.max(size, 16 * 1024) : size];
                if (size <= KEPT_BUFFER_BYTES) {
                  buffers.set(buffer);
                }
              }
              int read = stream.readNBytes(buffer, 0, size);
              if (read != size || stream.read() != -1) {
                return malformed("frame length differs from the announced " + size);
              }
              // The decoder copies what it keeps, so the buffer can be reused.
              return FrameDecoder.decode(buffer, size);
            }
            byte[] bytes = stream.readAllBytes();
            return FrameDecoder.decode(bytes, bytes.length);
          } catch (InvalidProtocolBufferException e) {
            return malformed(String.valueOf(e.getMessage()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
}
