package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.jangada.raft.grpc.proto.ClientReply;
import io.jangada.raft.grpc.proto.OpenSessionRequest;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc;
import io.jangada.raft.grpc.proto.ReplyCode;
import io.jangada.raft.grpc.proto.SubmitRequest;
import io.jangada.raft.model.Bytes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link RaftClient} sends submissions over {@code SubmitStream}, against a fake node (a plain
 * gRPC server with a hand-written client service): replies matched by call id in any order, the
 * fallback to unary calls for nodes without the stream and for large commands, and retries (same
 * sequence number) after a call's timeout or a broken stream.
 */
class RaftClientStreamTest {

  private static final long CLIENT_ID = 7;

  /** A fake node's client service; records what it was sent. */
  private static class FakeNode extends RaftClientServiceGrpc.RaftClientServiceImplBase {
    final List<SubmitRequest> unary = Collections.synchronizedList(new ArrayList<>());
    final List<SubmitRequest> streamed = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger streams = new AtomicInteger();

    @Override
    public void openSession(OpenSessionRequest request, StreamObserver<ClientReply> out) {
      out.onNext(ok(ByteString.EMPTY).setClientId(CLIENT_ID).build());
      out.onCompleted();
    }

    @Override
    public void submit(SubmitRequest request, StreamObserver<ClientReply> out) {
      unary.add(request);
      out.onNext(ok(request.getCommand()).build());
      out.onCompleted();
    }

    static ClientReply.Builder ok(ByteString result) {
      return ClientReply.newBuilder().setCode(ReplyCode.REPLY_CODE_OK).setResult(result);
    }
  }

  /** A fake node whose stream hands each request to {@code onRequest} (with its stream number). */
  private static final class StreamingNode extends FakeNode {
    private final BiConsumer<Integer, Received> onRequest;

    StreamingNode(BiConsumer<Integer, Received> onRequest) {
      this.onRequest = onRequest;
    }

    @Override
    public StreamObserver<SubmitRequest> submitStream(StreamObserver<ClientReply> out) {
      int stream = streams.incrementAndGet();
      return new StreamObserver<>() {
        @Override
        public void onNext(SubmitRequest request) {
          streamed.add(request);
          onRequest.accept(stream, new Received(request, out));
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  /** One request on a stream and the stream to answer on. */
  private record Received(SubmitRequest request, StreamObserver<ClientReply> out) {
    void echo() {
      synchronized (out) {
        out.onNext(FakeNode.ok(request.getCommand()).setCallId(request.getCallId()).build());
      }
    }
  }

  private final List<Server> servers = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Server server : servers) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private Server serve(FakeNode node) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(node)
            .build()
            .start();
    servers.add(server);
    return server;
  }

  private RaftClient clientOf(FakeNode node, Duration attemptTimeout) throws IOException {
    Server server = serve(node);
    return RaftClient.builder()
        .endpoints("127.0.0.1:" + server.getPort())
        .clusterId("fake")
        .deadline(Duration.ofSeconds(20))
        .attemptTimeout(attemptTimeout)
        .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
        .build();
  }

  private static String get(CompletableFuture<Bytes> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS).toUtf8();
  }

  @Test
  void submissionsShareOneStreamAndRepliesAreMatchedByCallId() throws Exception {
    List<Received> held = new ArrayList<>();
    StreamingNode node =
        new StreamingNode(
            (stream, received) -> {
              synchronized (held) {
                held.add(received);
                if (held.size() == 3) { // answer in reverse order
                  for (int i = 2; i >= 0; i--) {
                    held.get(i).echo();
                  }
                }
              }
            });
    try (RaftClient client = clientOf(node, Duration.ofSeconds(10))) {
      CompletableFuture<Bytes> a = client.submit(Bytes.ofUtf8("a"));
      CompletableFuture<Bytes> b = client.submit(Bytes.ofUtf8("b"));
      CompletableFuture<Bytes> c = client.submit(Bytes.ofUtf8("c"));
      assertThat(List.of(get(a), get(b), get(c))).containsExactly("a", "b", "c");
    }
    assertThat(node.streams.get()).isEqualTo(1);
    assertThat(node.unary).isEmpty();
    assertThat(node.streamed)
        .extracting(SubmitRequest::getCallId)
        .doesNotHaveDuplicates()
        .allMatch(id -> id > 0);
    assertThat(node.streamed)
        .extracting(SubmitRequest::getSequence)
        .containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(node.streamed).allMatch(r -> r.getClientId() == CLIENT_ID);
  }

  @Test
  void aNodeWithoutTheStreamGetsUnaryCalls() throws Exception {
    FakeNode node = new FakeNode(); // SubmitStream answers UNIMPLEMENTED
    try (RaftClient client = clientOf(node, Duration.ofSeconds(10))) {
      assertThat(get(client.submit(Bytes.ofUtf8("a")))).isEqualTo("a");
      assertThat(get(client.submit(Bytes.ofUtf8("b")))).isEqualTo("b");
    }
    assertThat(node.unary).extracting(SubmitRequest::getSequence).containsExactly(1L, 2L);
    assertThat(node.unary).allMatch(r -> r.getCallId() == 0);
  }

  @Test
  void commandsLargerThanTheStreamLimitGoInUnaryCalls() throws Exception {
    StreamingNode node = new StreamingNode((stream, received) -> received.echo());
    byte[] atLimit = new byte[RaftClient.STREAM_MAX_COMMAND_BYTES];
    byte[] over = new byte[RaftClient.STREAM_MAX_COMMAND_BYTES + 1];
    try (RaftClient client = clientOf(node, Duration.ofSeconds(10))) {
      assertThat(client.submit(Bytes.wrapUnsafe(atLimit)).get(20, TimeUnit.SECONDS).size())
          .isEqualTo(atLimit.length);
      assertThat(client.submit(Bytes.wrapUnsafe(over)).get(20, TimeUnit.SECONDS).size())
          .isEqualTo(over.length);
    }
    assertThat(node.streamed).extracting(SubmitRequest::getSequence).containsExactly(1L);
    assertThat(node.unary).extracting(SubmitRequest::getSequence).containsExactly(2L);
  }

  @Test
  void aCallUnansweredWithinTheAttemptTimeoutIsRetriedWithTheSameSequence() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    StreamingNode node =
        new StreamingNode(
            (stream, received) -> {
              if (seen.incrementAndGet() > 1) { // the first request is never answered
                received.echo();
              }
            });
    try (RaftClient client = clientOf(node, Duration.ofMillis(300))) {
      assertThat(get(client.submit(Bytes.ofUtf8("x")))).isEqualTo("x");
    }
    assertThat(node.streamed).hasSizeGreaterThanOrEqualTo(2);
    assertThat(node.streamed).extracting(SubmitRequest::getSequence).containsOnly(1L);
    assertThat(node.streamed).extracting(SubmitRequest::getCallId).doesNotHaveDuplicates();
  }

  @Test
  void aBrokenStreamFailsItsCallsWhichAreRetriedOnANewStream() throws Exception {
    StreamingNode node =
        new StreamingNode(
            (stream, received) -> {
              if (stream == 1) {
                received.out().onError(Status.INTERNAL.withDescription("boom").asException());
              } else {
                received.echo();
              }
            });
    try (RaftClient client = clientOf(node, Duration.ofSeconds(10))) {
      assertThat(get(client.submit(Bytes.ofUtf8("x")))).isEqualTo("x");
      assertThat(get(client.submit(Bytes.ofUtf8("y")))).isEqualTo("y");
    }
    assertThat(node.streams.get()).isEqualTo(2);
    assertThat(node.streamed).extracting(SubmitRequest::getSequence).containsExactly(1L, 1L, 2L);
    assertThat(node.unary).isEmpty();
  }

  @Test
  void anAnswerNamingTheLeaderSendsTheNextSubmissionsToTheLeadersStream() throws Exception {
    StreamingNode leader = new StreamingNode((stream, received) -> received.echo());
    String leaderAddress = "127.0.0.1:" + serve(leader).getPort();
    StreamingNode follower =
        new StreamingNode(
            (stream, received) -> {
              synchronized (received.out()) {
                received
                    .out()
                    .onNext(
                        FakeNode.ok(received.request().getCommand())
                            .setCallId(received.request().getCallId())
                            .setLeaderId("n1")
                            .setLeaderAddress(leaderAddress)
                            .build());
              }
            });
    try (RaftClient client = clientOf(follower, Duration.ofSeconds(10))) {
      assertThat(get(client.submit(Bytes.ofUtf8("a")))).isEqualTo("a");
      assertThat(get(client.submit(Bytes.ofUtf8("b")))).isEqualTo("b");
      assertThat(get(client.submit(Bytes.ofUtf8("c")))).isEqualTo("c");
    }
    assertThat(follower.streamed).extracting(SubmitRequest::getSequence).containsExactly(1L);
    assertThat(leader.streamed).extracting(SubmitRequest::getSequence).containsExactly(2L, 3L);
  }
}
