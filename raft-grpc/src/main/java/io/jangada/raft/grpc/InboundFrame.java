package io.jangada.raft.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.jangada.raft.grpc.proto.Envelope;
import java.io.InputStream;
import java.util.Optional;

/**
 * One received frame: the parsed {@link Envelope}, or why it could not be parsed. The server parses
 * frames itself (through {@link #MARSHALLER}) so that one undecodable frame is rejected alone
 * instead of failing the whole stream, which gRPC does when its own marshaller throws.
 */
record InboundFrame(Optional<Envelope> envelope, String error) {

  /** Parses with gRPC's protobuf marshaller (zero-copy where it can) but never throws. */
  static final MethodDescriptor.Marshaller<InboundFrame> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        private final MethodDescriptor.Marshaller<Envelope> delegate =
            ProtoUtils.marshaller(Envelope.getDefaultInstance());

        @Override
        public InputStream stream(InboundFrame frame) {
          return delegate.stream(frame.envelope().orElseThrow());
        }

        @Override
        public InboundFrame parse(InputStream stream) {
          try {
            return new InboundFrame(Optional.of(delegate.parse(stream)), "");
          } catch (StatusRuntimeException | IllegalArgumentException e) {
            return new InboundFrame(Optional.empty(), String.valueOf(e.getMessage()));
          }
        }
      };
}
