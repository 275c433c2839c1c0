package io.jangada.raft.grpc;

import static io.jangada.raft.contract.TransportContract.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.contract.TransportContract.RecordingInbox;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.grpc.proto.RaftMessage;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.testing.LoopbackPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrpcTransportTest {

  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(0, closeable);
    return closeable;
  }

  private static GrpcTransport.Builder node(
      NodeId self, InetSocketAddress listen, InetSocketAddress... peers) {
    GrpcTransport.Builder b =
        GrpcTransport.builder()
            .self(self)
            .clusterId("test")
            .listen(listen)
            .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
    List<NodeId> others = new ArrayList<>(List.of(A, B, C));
    others.remove(self);
    for (int i = 0; i < peers.length; i++) {
      b.peer(others.get(i), peers[i]);
    }
    return b;
  }

  private GrpcTransport start(GrpcTransport.Builder builder, RecordingInbox inbox)
      throws IOException {
    GrpcTransport t = closeLater(builder.build());
    t.start(inbox);
    return t;
  }

  private static void sendUntil(GrpcTransport from, Message m, BooleanSupplier done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("timed out resending %s", m).isNegative();
      from.send(m);
      io.jangada.raft.contract.TransportContract.awaitUntilOrTimeout(Duration.ofMillis(50), done);
    }
  }

  @Test
  void badConfigurationIsRejectedClearly() {
    InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 7001);
    assertThatThrownBy(() -> GrpcTransport.builder().clusterId("x").listen(addr).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("self");
    assertThatThrownBy(() -> GrpcTransport.builder().self(A).listen(addr).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clusterId");
    assertThatThrownBy(() -> GrpcTransport.builder().self(A).clusterId("x").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("listen");
    assertThatThrownBy(() -> GrpcTransport.builder().self(A).peer(A, addr))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("itself");
    assertThatThrownBy(
            () -> GrpcTransport.builder().peer(A, addr).self(A).clusterId("x").listen(addr).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("itself");
    assertThatThrownBy(() -> GrpcTransport.builder().self(A).peer(B, addr).peer(B, "h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate peer b");
    assertThatThrownBy(() -> GrpcTransport.builder().self(A).peer(B, "127.0.0.1:0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'127.0.0.1:0'")
        .hasMessageContaining("port 0");
    assertThatThrownBy(
            () -> GrpcTransport.builder().self(A).peer(B, new InetSocketAddress("127.0.0.1", 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port 0");
    assertThatThrownBy(() -> GrpcTransport.builder().reconnectBackoff(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("initial");
    assertThatThrownBy(
            () ->
                GrpcTransport.builder()
                    .self(A)
                    .clusterId("x")
                    .listen("127.0.0.1:7001")
                    .peer(B, "127.0.0.1:7002")
                    .peer(C, "127.0.0.1:7002")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("peers b and c have the same address 127.0.0.1:7002");
    assertThatThrownBy(
            () ->
                GrpcTransport.builder()
                    .self(A)
                    .clusterId("x")
                    .listen("127.0.0.1:7001")
                    .peer(B, "127.0.0.1:7001")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("peer b has this node's own listen address 127.0.0.1:7001");
    assertThatThrownBy(() -> GrpcTransport.builder().listen("no-port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-port");
    assertThatThrownBy(() -> GrpcTransport.builder().clusterId(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void startFailsWithAnIoExceptionNamingTheAddressWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      GrpcTransport t =
          closeLater(node(A, new InetSocketAddress("127.0.0.1", taken.getLocalPort())).build());
      assertThatThrownBy(() -> t.start(new RecordingInbox()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
      assertThatCode(() -> t.send(new Message.TimeoutNow(A, B, 1))).doesNotThrowAnyException();
      assertThatThrownBy(() -> t.start(new RecordingInbox()))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void boundAddressReportsTheEphemeralPort() throws Exception {
    GrpcTransport t = start(node(A, new InetSocketAddress("127.0.0.1", 0)), new RecordingInbox());
    assertThat(t.boundAddress().getPort()).isPositive();
    assertThatThrownBy(() -> t.start(new RecordingInbox()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void framesThatFailIdentityOrDecodingAreRejectedAndTheStreamGoesOn() throws Exception {
    RecordingInbox inbox = new RecordingInbox();
    java.util.Map<GrpcTransportMetrics.RejectReason, Integer> reasons =
        new java.util.concurrent.ConcurrentSkipListMap<>();
    GrpcTransport b =
        start(
            node(
                    B,
                    LoopbackPorts.freeLoopbackAddress(),
                    LoopbackPorts.freeLoopbackAddress(),
                    LoopbackPorts.freeLoopbackAddress())
                .acceptUnknownSenders(false)
                .metrics(
                    new GrpcTransportMetrics() {
                      @Override
                      public void frameRejected(NodeId self, RejectReason reason) {
                        reasons.merge(reason, 1, Integer::sum);
                      }
                    }),
            inbox);
    RawClient attacker = closeLater(new RawClient(b.boundAddress()));

    RaftMessage fromA = ProtoCodec.encode(new Message.TimeoutNow(A, B, 1));
    Envelope valid =
        Envelope.newBuilder().setClusterId("test").setSender("a").addMessages(fromA).build();
    attacker.send(valid.toBuilder().setClusterId("other").build()); // another cluster
    attacker.send(
        valid.toBuilder()
            .setSender("x")
            .clearMessages()
            .addMessages(ProtoCodec.encode(new Message.TimeoutNow(NodeId.of("x"), B, 1)))
            .build()); // unknown sender
    attacker.send(
        valid.toBuilder()
            .clearMessages()
            .addMessages(ProtoCodec.encode(new Message.TimeoutNow(C, B, 1)))
            .build()); // spoofed from
    attacker.send(
        valid.toBuilder()
            .clearMessages()
            .addMessages(ProtoCodec.encode(new Message.TimeoutNow(A, C, 1)))
            .build()); // addressed to another node
    attacker.send(new byte[] {0x0a, 0x7f, 0x01}); // not protobuf: truncated field
    attacker.send(
        valid.toBuilder()
            .clearMessages()
            .addMessages(fromA.toBuilder().setTerm(-1))
            .build()); // bad term
    attacker.send(
        valid.toBuilder()
            .clearMessages()
            .addMessages(fromA.toBuilder().clearBody())
            .build()); // no body
    attacker.send(valid.toBuilder().clearMessages().build()); // empty frame
    Message first = new Message.TimeoutNow(A, B, 2);
    Message last = new Message.TimeoutNow(A, B, 3);
    attacker.send(
        valid.toBuilder()
            .clearMessages()
            .addMessages(ProtoCodec.encode(first))
            .addMessages(ProtoCodec.encode(new Message.TimeoutNow(C, B, 9))) // spoofed, in a batch
            .addMessages(ProtoCodec.encode(last))
            .build());

    awaitUntil(TIMEOUT, () -> inbox.received().contains(last));
    assertThat(inbox.received()).containsExactly(first, last);
    assertThat(b.rejectedFrames()).isEqualTo(9);
    assertThat(reasons.toString())
        .isEqualTo(
            "{MALFORMED_FRAME=1, WRONG_CLUSTER=1, UNKNOWN_SENDER=1, EMPTY_FRAME=1,"
                + " MALFORMED_MESSAGE=2, SPOOFED_SENDER=2, WRONG_RECIPIENT=1}");
  }

  @Test
  void aPeerThatStopsIsReportedUnreachableAndReachedAgainAfterItRestartsOnTheSamePort()
      throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxA = new RecordingInbox();
    RecordingInbox inboxB = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA, addrB), inboxA);
    GrpcTransport.Builder builderB = node(B, addrB, addrA);
    GrpcTransport b = start(builderB, inboxB);
    Message first = new Message.Heartbeat(A, B, 1, 0, 1);
    sendUntil(a, first, () -> inboxB.received().contains(first));

    b.close();
    inboxA.clear();
    Message whileDown = new Message.Heartbeat(A, B, 1, 0, 2);
    sendUntil(a, whileDown, () -> inboxA.unreachable().contains(B));
    for (int i = 0; i < 100; i++) {
      assertThatCode(() -> a.send(whileDown)).doesNotThrowAnyException();
    }

    RecordingInbox inboxB2 = new RecordingInbox();
    start(builderB, inboxB2);
    Message again = new Message.Heartbeat(A, B, 1, 0, 3);
    sendUntil(a, again, () -> inboxB2.received().contains(again));
    assertThat(inboxB.received()).doesNotContain(again);
  }

  /**
   * Issue 12: a restarted node waited up to the reconnect backoff (2 s by default) before its peers
   * reconnected to it. Traffic from a peer proves it is up: the stream to it reopens at once.
   */
  @Test
  void aRestartedPeerIsReconnectedAsSoonAsItsTrafficArrivesNotAfterTheBackoff() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxA = new RecordingInbox();
    RecordingInbox inboxB = new RecordingInbox();
    Duration backoff = Duration.ofSeconds(40); // every retry waits 20 to 40 s
    GrpcTransport.Builder builderB = node(B, addrB, addrA);
    GrpcTransport b = start(builderB, inboxB); // listening before A dials
    GrpcTransport a = start(node(A, addrA, addrB).reconnectBackoff(backoff, backoff), inboxA);
    Message first = new Message.Heartbeat(A, B, 1, 0, 1);
    sendUntil(a, first, () -> inboxB.received().contains(first));

    b.close();
    inboxA.clear();
    Message whileDown = new Message.Heartbeat(A, B, 1, 0, 2);
    sendUntil(a, whileDown, () -> inboxA.unreachable().contains(B)); // A now waits >= 20 s

    RecordingInbox inboxB2 = new RecordingInbox();
    GrpcTransport b2 = start(builderB, inboxB2);
    long restarted = System.nanoTime();
    Message hello = new Message.HeartbeatResponse(B, A, 1, 0);
    Message again = new Message.Heartbeat(A, B, 1, 0, 3);
    awaitUntil(
        Duration.ofSeconds(10),
        () -> {
          b2.send(hello); // B's fresh transport reaches A at once; A hears from B
          a.send(again);
          return inboxB2.received().contains(again);
        });
    assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(backoff.dividedBy(2));
  }

  @Test
  void rejectedClustersAndUnknownSendersAreReportedAsProblems() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxA = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA, addrB), inboxA);
    assertThat(a.peers()).contains(java.util.Set.of(B));
    assertThat(a.problems()).isEmpty();
    GrpcTransport stranger =
        start(
            GrpcTransport.builder()
                .self(B)
                .clusterId("other")
                .listen(addrB)
                .peer(A, addrA)
                .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)),
            new RecordingInbox());
    awaitUntil(
        TIMEOUT,
        () -> {
          stranger.send(new Message.TimeoutNow(B, A, 1));
          return !a.problems().isEmpty();
        });
    assertThat(a.problems())
        .singleElement()
        .asString()
        .contains("'b'", "cluster 'other'", "'test'");
    assertThat(inboxA.received()).isEmpty();
  }

  @Test
  void aPeerThatDoesNotReadMakesTheSenderDropWithABoundedQueue() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    int maxMessages = 32;
    long maxBytes = 1 << 20;
    RecordingInbox inboxA = new RecordingInbox();
    GrpcTransport a =
        start(
            node(A, addrA, addrB)
                .maxMessageSize(256 * 1024)
                .maxQueuedMessages(maxMessages)
                .maxQueuedBytes(maxBytes),
            inboxA);
    CountDownLatch release = new CountDownLatch(1);
    List<Long> offsets = new java.util.concurrent.CopyOnWriteArrayList<>();
    RecordingInbox inboxB =
        new RecordingInbox() {
          @Override
          public void receive(Message message) {
            if (message instanceof Message.InstallSnapshot s) {
              offsets.add(s.offset());
              try {
                release.await(); // a stuck reader: gRPC's flow control fills up behind it
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            super.receive(message);
          }
        };
    start(node(B, addrB, addrA), inboxB);
    Message probe = new Message.Heartbeat(A, B, 1, 0, 1);
    sendUntil(a, probe, () -> inboxB.received().contains(probe));
    inboxA.clear();

    int chunk = 64 * 1024;
    int chunks = 400; // 25 MiB, far beyond the queue and HTTP/2 windows
    Bytes data = Bytes.wrapUnsafe(new byte[chunk]);
    SnapshotMeta meta = new SnapshotMeta(10, 1, Membership.ofVoters(A, B));
    for (int i = 0; i < chunks; i++) {
      a.send(new Message.InstallSnapshot(A, B, 1, meta, (long) i * chunk, data, false, 0));
      assertThat(a.queuedMessages(B)).isLessThanOrEqualTo(maxMessages);
      assertThat(a.queuedBytes(B)).isLessThanOrEqualTo(maxBytes);
    }
    awaitUntil(TIMEOUT, () -> inboxA.unreachable().contains(B));

    release.countDown();
    Message after = new Message.Heartbeat(A, B, 1, 0, 2);
    sendUntil(a, after, () -> inboxB.received().contains(after));
    assertThat(offsets).as("delivered chunks keep their order").isSorted();
    assertThat(offsets.size()).as("some chunks were dropped").isBetween(1, chunks - 1);
  }

  @Test
  void megabyteSnapshotChunksFlowIntactWhenTheSenderPacesOnTheQueue() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxB = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA, addrB).maxQueuedBytes(4L << 20), new RecordingInbox());
    start(node(B, addrB, addrA), inboxB);
    Message probe = new Message.Heartbeat(A, B, 1, 0, 1);
    sendUntil(a, probe, () -> inboxB.received().contains(probe));
    inboxB.clear();

    int chunk = 1 << 20;
    int chunks = 24;
    SnapshotMeta meta = new SnapshotMeta(10, 1, Membership.ofVoters(A, B));
    List<Message> sent = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      byte[] data = new byte[chunk];
      java.util.Arrays.fill(data, (byte) i);
      Message m =
          new Message.InstallSnapshot(
              A, B, 1, meta, (long) i * chunk, Bytes.wrapUnsafe(data), i == chunks - 1, i);
      // Pace like a leader would: only offer a chunk when the queue has room for it.
      awaitUntil(TIMEOUT, () -> a.queuedBytes(B) <= (3L << 20));
      a.send(m);
      sent.add(m);
    }
    // sendUntil may have sent the probe more than once: a late copy can follow the clear().
    awaitUntil(TIMEOUT, () -> snapshotChunks(inboxB).size() == chunks);
    assertThat(snapshotChunks(inboxB)).isEqualTo(sent);
  }

  private static List<Message> appends(RecordingInbox inbox) {
    return inbox.received().stream().filter(m -> m instanceof Message.AppendRequest).toList();
  }

  private static List<Message> snapshotChunks(RecordingInbox inbox) {
    return inbox.received().stream().filter(m -> m instanceof Message.InstallSnapshot).toList();
  }

  @Test
  void peersCanBeAddedAndRemovedAtRunTime() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxA = new RecordingInbox();
    RecordingInbox inboxB = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA).acceptUnknownSenders(false), inboxA); // knows nobody
    GrpcTransport b = start(node(B, addrB, addrA), inboxB);

    Message early = new Message.TimeoutNow(B, A, 1);
    awaitUntil(
        TIMEOUT,
        () -> {
          b.send(early);
          return a.rejectedFrames() > 0; // an unknown sender's frames are rejected
        });
    assertThat(inboxA.received()).isEmpty();
    assertThat(a.problems())
        .anySatisfy(p -> assertThat(p).contains("'b'", "not a configured peer"));

    a.addPeer(B, addrB);
    assertThatThrownBy(() -> a.addPeer(B, addrB)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.addPeer(A, addrA)).isInstanceOf(IllegalArgumentException.class);
    Message ba = new Message.TimeoutNow(B, A, 2);
    sendUntil(b, ba, () -> inboxA.received().contains(ba));
    Message ab = new Message.TimeoutNow(A, B, 3);
    sendUntil(a, ab, () -> inboxB.received().contains(ab));

    a.removePeer(B);
    inboxA.clear();
    Message gone = new Message.TimeoutNow(A, B, 4);
    sendUntil(a, gone, () -> inboxA.unreachable().contains(B));
    long rejectedBefore = a.rejectedFrames();
    awaitUntil(
        TIMEOUT,
        () -> {
          b.send(new Message.TimeoutNow(B, A, 5));
          return a.rejectedFrames() > rejectedBefore;
        });
    assertThat(inboxA.received()).doesNotContain(new Message.TimeoutNow(B, A, 5));
  }

  /**
   * The leader sends the same entries (the same LogEntry objects) to every follower; they are
   * written from the shared arrays, never copied per follower, and must arrive intact at each:
   * large and empty ones, many per message, and after the sender reused nothing.
   */
  @Test
  void theSameEntriesSentToTwoPeersArriveIntactAtBoth() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrC = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxB = new RecordingInbox();
    RecordingInbox inboxC = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA, addrB, addrC), new RecordingInbox());
    start(node(B, addrB, addrA, addrC), inboxB);
    start(node(C, addrC, addrA, addrB), inboxC);
    Message probeB = new Message.Heartbeat(A, B, 1, 0, 0);
    Message probeC = new Message.Heartbeat(A, C, 1, 0, 0);
    sendUntil(a, probeB, () -> inboxB.received().contains(probeB));
    sendUntil(a, probeC, () -> inboxC.received().contains(probeC));

    java.util.SplittableRandom random = new java.util.SplittableRandom(23);
    List<Message> toB = new ArrayList<>();
    List<Message> toC = new ArrayList<>();
    long index = 1;
    for (int m = 0; m < 20; m++) {
      List<io.jangada.raft.model.LogEntry> entries = new ArrayList<>();
      long prev = index - 1;
      for (int i = 0; i < 1 + random.nextInt(200); i++) {
        int size = random.nextInt(20) == 0 ? 65_536 : random.nextInt(3) == 0 ? 0 : 100;
        byte[] data = new byte[size];
        random.nextBytes(data);
        entries.add(
            size == 0 && random.nextBoolean()
                ? io.jangada.raft.model.LogEntry.noop(index++, 1)
                : io.jangada.raft.model.LogEntry.command(index++, 1, Bytes.wrapUnsafe(data)));
      }
      Message forB = new Message.AppendRequest(A, B, 1, prev, prev == 0 ? 0 : 1, entries, prev);
      Message forC = new Message.AppendRequest(A, C, 1, prev, prev == 0 ? 0 : 1, entries, prev);
      a.send(forB);
      a.send(forC);
      toB.add(forB);
      toC.add(forC);
    }

    awaitUntil(TIMEOUT, () -> appends(inboxB).size() == toB.size());
    awaitUntil(TIMEOUT, () -> appends(inboxC).size() == toC.size());
    assertThat(appends(inboxB)).isEqualTo(toB);
    assertThat(appends(inboxC)).isEqualTo(toC);
  }

  @Test
  void batchedFramesStayWithinTheReceiversMaxMessageSize() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxA = new RecordingInbox();
    RecordingInbox inboxB = new RecordingInbox();
    // A frame over 2 KiB would make B's gRPC server fail the stream and lose messages.
    GrpcTransport a = start(node(A, addrA, addrB).maxMessageSize(2048), inboxA);
    start(node(B, addrB, addrA).maxMessageSize(2048), inboxB);
    Message probe = new Message.Heartbeat(A, B, 1, 0, 0);
    sendUntil(a, probe, () -> inboxB.received().contains(probe));
    inboxA.clear();
    inboxB.clear();

    List<Message> sent = new ArrayList<>();
    for (int i = 1; i <= 2000; i++) {
      Message m =
          new Message.AppendRequest(
              A,
              B,
              1,
              i - 1,
              1,
              List.of(
                  io.jangada.raft.model.LogEntry.command(i, 1, Bytes.wrapUnsafe(new byte[100]))),
              0);
      a.send(m);
      sent.add(m);
    }
    // A late copy of the probe (see sendUntil) may arrive after the clear(): count appends only.
    awaitUntil(TIMEOUT, () -> appends(inboxB).size() == sent.size());
    assertThat(appends(inboxB)).isEqualTo(sent);
    assertThat(inboxA.unreachable()).isEmpty();
  }
}
