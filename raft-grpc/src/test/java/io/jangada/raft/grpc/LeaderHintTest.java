package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.jangada.raft.RaftNode;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.grpc.proto.ClientReply;
import io.jangada.raft.grpc.proto.OpenSessionRequest;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc.RaftClientServiceBlockingStub;
import io.jangada.raft.grpc.proto.ReplyCode;
import io.jangada.raft.grpc.proto.SubmitRequest;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A follower that forwarded a submission names the leader in its OK answer, so that a client sends
 * its next submissions to the leader itself instead of paying the forwarding hop every time; the
 * leader names nobody.
 */
class LeaderHintTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final String CLUSTER = "leader-hint";

  private final Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<NodeId, GrpcTransport> transports = new LinkedHashMap<>();
  private final Map<NodeId, RaftNode> nodes = new LinkedHashMap<>();
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    nodes.values().forEach(RaftNode::close);
    transports.values().forEach(GrpcTransport::close);
  }

  private void startCluster() {
    SplittableRandom random = new SplittableRandom(16);
    for (NodeId id : IDS) {
      addresses.put(id, LoopbackPorts.freeLoopbackAddress());
    }
    for (NodeId id : IDS) {
      GrpcTransport.Builder b =
          GrpcTransport.builder().self(id).clusterId(CLUSTER).listen(addresses.get(id));
      for (NodeId peer : IDS) {
        if (!peer.equals(id)) {
          b.peer(peer, addresses.get(peer));
        }
      }
      GrpcTransport transport = b.build();
      RaftNode node =
          // 50 ms ticks (a 500 ms election timeout): with 20 ms, a loaded machine's pauses of a
          // few hundred ms changed the leader mid-test (INDETERMINATE answers, another leader).
          TestNodes.inMemory(id, Membership.ofVoters(IDS), transport, Duration.ofMillis(50))
              .config(RaftConfig.builder().electionTicks(10).heartbeatTicks(1).build())
              .random(random.split())
              .build();
      transport.serveClients(node);
      transports.put(id, transport);
      nodes.put(id, node);
    }
    nodes.values().forEach(n -> n.start().join());
  }

  private NodeId awaitLeader() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (Map.Entry<NodeId, RaftNode> e : nodes.entrySet()) {
        if (e.getValue().status().isLeader()) {
          return e.getKey();
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    throw new AssertionError("no leader within 30 s");
  }

  private static SubmitRequest submit(long clientId, long seq) {
    return SubmitRequest.newBuilder()
        .setClusterId(CLUSTER)
        .setClientId(clientId)
        .setSequence(seq)
        .setLowestUnacknowledged(seq)
        .setCommand(ByteString.copyFromUtf8("c" + seq))
        .build();
  }

  @Test
  void aFollowerNamesTheLeaderInItsAnswersAndTheLeaderNamesNobody() throws Exception {
    startCluster();
    NodeId leader = awaitLeader();
    NodeId follower = IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    channel = NettyChannelBuilder.forAddress(addresses.get(follower)).usePlaintext().build();
    RaftClientServiceBlockingStub stub =
        RaftClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    ClientReply opened =
        stub.openSession(OpenSessionRequest.newBuilder().setClusterId(CLUSTER).build());
    assertThat(opened.getCode()).isEqualTo(ReplyCode.REPLY_CODE_OK);

    // The follower may learn the leader a little after the election: a few tries at most.
    ClientReply reply = null;
    for (long seq = 1; seq <= 50; seq++) {
      reply = stub.submit(submit(opened.getClientId(), seq));
      assertThat(reply.getCode()).isEqualTo(ReplyCode.REPLY_CODE_OK);
      if (!reply.getLeaderAddress().isEmpty()) {
        break;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(60)); // past the hint's reuse period
    }
    assertThat(reply.getLeaderId()).isEqualTo(leader.value());
    assertThat(reply.getLeaderAddress()).isEqualTo("127.0.0.1:" + addresses.get(leader).getPort());

    ManagedChannel toLeader =
        NettyChannelBuilder.forAddress(addresses.get(leader)).usePlaintext().build();
    try {
      ClientReply fromLeader =
          RaftClientServiceGrpc.newBlockingStub(toLeader)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .submit(submit(opened.getClientId(), 100));
      assertThat(fromLeader.getCode()).isEqualTo(ReplyCode.REPLY_CODE_OK);
      assertThat(fromLeader.getLeaderAddress()).isEmpty();
    } finally {
      toLeader.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
