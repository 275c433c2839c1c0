package io.jangada.raft.grpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.grpc.proto.RaftTransportGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A hand-driven client of the transport's stream that can send any bytes, for attack tests. */
final class RawClient implements AutoCloseable {

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final ManagedChannel channel;
  private final StreamObserver<byte[]> frames;

  RawClient(InetSocketAddress server) {
    channel = NettyChannelBuilder.forAddress(server).usePlaintext().build();
    MethodDescriptor<byte[], byte[]> method =
        RaftTransportGrpc.getStreamMethod().toBuilder(BYTES, BYTES).build();
    frames =
        ClientCalls.asyncClientStreamingCall(
            channel.newCall(method, CallOptions.DEFAULT),
            new StreamObserver<byte[]>() {
              @Override
              public void onNext(byte[] value) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
  }

  void send(byte[] frame) {
    frames.onNext(frame);
  }

  void send(Envelope envelope) {
    send(envelope.toByteArray());
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
