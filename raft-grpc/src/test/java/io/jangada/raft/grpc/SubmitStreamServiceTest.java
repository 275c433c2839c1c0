package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.jangada.raft.RaftNode;
import io.jangada.raft.grpc.proto.ClientReply;
import io.jangada.raft.grpc.proto.OpenSessionRequest;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc;
import io.jangada.raft.grpc.proto.ReplyCode;
import io.jangada.raft.grpc.proto.SubmitRequest;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server side of {@code SubmitStream} on a one-node cluster, driven by a raw gRPC stub: every
 * request is answered with its call id (also refusals), exactly once per session sequence, and the
 * stream ends once the client half-closed it and every request was answered.
 */
class SubmitStreamServiceTest {

  private static final NodeId N1 = NodeId.of("n1");

  private final InetSocketAddress address = LoopbackPorts.freeLoopbackAddress();
  private GrpcTransport transport;
  private RaftNode node;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    transport = GrpcTransport.builder().self(N1).clusterId("streams").listen(address).build();
    node =
        TestNodes.inMemory(N1, Membership.ofVoters(N1), transport, Duration.ofMillis(10)).build();
    transport.serveClients(node);
    node.start().get(30, TimeUnit.SECONDS);
    channel = NettyChannelBuilder.forAddress(address).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
    if (transport != null) {
      transport.close();
    }
  }

  /** Collects a stream's replies by call id and waits for its end. */
  private static final class Replies implements StreamObserver<ClientReply> {
    final Map<Long, ClientReply> byCallId = new ConcurrentHashMap<>();
    final CountDownLatch ended = new CountDownLatch(1);
    volatile Throwable error;

    @Override
    public void onNext(ClientReply reply) {
      assertThat(byCallId.put(reply.getCallId(), reply)).as("one reply per call id").isNull();
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      ended.countDown();
    }
  }

  private long openSession() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      ClientReply reply =
          RaftClientServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .openSession(OpenSessionRequest.newBuilder().setClusterId("streams").build());
      if (reply.getCode() == ReplyCode.REPLY_CODE_OK) {
        return reply.getClientId();
      }
      assertThat(System.nanoTime()).as("session opened: %s", reply).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // a leader is being elected
    }
  }

  private static SubmitRequest submit(String cluster, long clientId, long seq, String command) {
    return SubmitRequest.newBuilder()
        .setClusterId(cluster)
        .setClientId(clientId)
        .setSequence(seq)
        .setLowestUnacknowledged(1)
        .setCommand(ByteString.copyFromUtf8(command))
        .setCallId(100 + seq)
        .build();
  }

  @Test
  void everyRequestIsAnsweredWithItsCallIdAndTheStreamEndsAfterTheLastAnswer() throws Exception {
    long clientId = openSession();
    Replies replies = new Replies();
    StreamObserver<SubmitRequest> requests =
        RaftClientServiceGrpc.newStub(channel).submitStream(replies);
    requests.onNext(submit("streams", clientId, 1, "a"));
    requests.onNext(submit("streams", clientId, 2, "b"));
    // A retry of sequence 1 (another call id): not applied again, answered with the same result.
    requests.onNext(submit("streams", clientId, 1, "a").toBuilder().setCallId(201).build());
    requests.onNext(
        submit("another", clientId, 3, "c").toBuilder().setCallId(7).build()); // refused
    requests.onCompleted();

    assertThat(replies.ended.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(replies.error).isNull();
    assertThat(replies.byCallId.keySet()).containsExactlyInAnyOrder(101L, 102L, 201L, 7L);
    assertThat(replies.byCallId.get(7L).getCode()).isEqualTo(ReplyCode.REPLY_CODE_WRONG_CLUSTER);
    Map<Long, String> results =
        replies.byCallId.entrySet().stream()
            .filter(e -> e.getKey() != 7L)
            .collect(
                Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getResult().toStringUtf8()));
    // The recording state machine answers with the number of commands applied so far.
    assertThat(results).containsEntry(101L, "1").containsEntry(102L, "2").containsEntry(201L, "1");
    assertThat(List.of(101L, 102L, 201L))
        .allMatch(id -> replies.byCallId.get(id).getCode() == ReplyCode.REPLY_CODE_OK);
  }
}
