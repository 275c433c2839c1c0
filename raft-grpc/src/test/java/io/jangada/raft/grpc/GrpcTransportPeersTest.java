package io.jangada.raft.grpc;

import static io.jangada.raft.contract.TransportContract.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.contract.TransportContract.RecordingInbox;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A dynamic peer set: reconciling, address changes, learning unknown senders (127.0.0.1). */
class GrpcTransportPeersTest {

  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final NodeId D = NodeId.of("d");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private GrpcTransport start(GrpcTransport.Builder builder, RecordingInbox inbox)
      throws IOException {
    GrpcTransport t = builder.build();
    toClose.add(0, t);
    t.start(inbox);
    return t;
  }

  private static GrpcTransport.Builder node(NodeId self, InetSocketAddress listen) {
    return GrpcTransport.builder()
        .self(self)
        .clusterId("test")
        .listen(listen)
        .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  private static void sendUntil(GrpcTransport from, Message m, BooleanSupplier done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("timed out resending %s", m).isNegative();
      from.send(m);
      TransportContract.awaitUntilOrTimeout(Duration.ofMillis(50), done);
    }
  }

  @Test
  void reconfiguringOtherPeersLosesNothingSentToAnUnchangedPeer() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrC = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxB = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA).peer(B, addrB), new RecordingInbox());
    start(node(B, addrB), inboxB);
    start(node(C, addrC), new RecordingInbox());
    Message hello = new Message.TimeoutNow(A, B, 1);
    sendUntil(a, hello, () -> inboxB.received().contains(hello)); // connected
    inboxB.clear();

    // Another thread keeps changing every other peer (add, move, remove) while messages to B flow.
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> churnError = new AtomicReference<>();
    Thread churn =
        new Thread(
            () -> {
              try {
                int round = 0;
                while (done.getCount() > 0 && round < 300) {
                  Map<NodeId, String> target = new TreeMap<>();
                  target.put(B, hostPort(addrB));
                  target.put(A, hostPort(addrA)); // itself: skipped
                  if (round % 3 != 2) {
                    target.put(C, round % 2 == 0 ? hostPort(addrC) : "127.0.0.1:1");
                  }
                  if (round % 2 == 0) {
                    target.put(D, "127.0.0.1:2");
                  }
                  a.setPeers(target);
                  round++;
                }
              } catch (Throwable t) {
                churnError.set(t);
              }
            },
            "churn");
    churn.start();
    int count = 2000;
    List<Message> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Message m = new Message.TimeoutNow(A, B, 100 + i);
      sent.add(m);
      a.send(m);
      if (i % 100 == 0) {
        Thread.yield(); // let the churn interleave
      }
    }
    awaitUntil(TIMEOUT, () -> afterHello(inboxB).size() >= count);
    done.countDown();
    churn.join();
    assertThat(churnError.get()).isNull();
    assertThat(afterHello(inboxB)).isEqualTo(sent); // all of them, in order
    assertThat(inboxB.unreachable()).isEmpty();
  }

  /** What {@code inbox} received, without late copies of the connection probe (term 1). */
  private static List<Message> afterHello(RecordingInbox inbox) {
    return inbox.received().stream().filter(m -> m.term() != 1).toList();
  }

  @Test
  void aRemovedPeerIsClosedAndAMovedPeerIsReachedAtItsNewAddress() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrC1 = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrC2 = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxA = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA).peer(C, addrC1), inboxA);
    RecordingInbox inboxC1 = new RecordingInbox();
    GrpcTransport c1 = start(node(C, addrC1), inboxC1);
    Message first = new Message.TimeoutNow(A, C, 1);
    sendUntil(a, first, () -> inboxC1.received().contains(first));

    // C moves to another machine (same id, new address).
    c1.close();
    RecordingInbox inboxC2 = new RecordingInbox();
    start(node(C, addrC2), inboxC2);
    a.setPeers(Map.of(C, hostPort(addrC2)));
    assertThat(a.peerAddresses()).containsExactly(Map.entry(C, hostPort(addrC2)));
    Message moved = new Message.TimeoutNow(A, C, 2);
    sendUntil(a, moved, () -> inboxC2.received().contains(moved));

    // C leaves: sends to it are dropped and reported, nothing stays queued.
    a.setPeers(Map.of());
    assertThat(a.peerAddresses()).isEmpty();
    inboxA.clear();
    a.send(new Message.TimeoutNow(A, C, 3));
    awaitUntil(TIMEOUT, () -> inboxA.unreachable().contains(C));
    assertThat(a.queuedMessages(C)).isZero();
    assertThatThrownBy(() -> a.setPeers(Map.of(C, "no-port")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(a.peerAddresses()).isEmpty(); // a bad address changes nothing
  }

  @Test
  void aNodeThatKnowsNobodyHearsALeaderAndRepliesAtTheAddressItAnnounces() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrJ = LoopbackPorts.freeLoopbackAddress();
    NodeId joiner = NodeId.of("j");
    RecordingInbox inboxA = new RecordingInbox();
    RecordingInbox inboxJ = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA).peer(joiner, addrJ), inboxA);
    GrpcTransport j = start(node(joiner, addrJ), inboxJ); // join mode: no peers at all
    assertThat(j.peerAddresses()).isEmpty();

    Message append = new Message.TimeoutNow(A, joiner, 7);
    sendUntil(a, append, () -> inboxJ.received().contains(append));
    assertThat(j.peerAddresses()).containsExactly(Map.entry(A, hostPort(addrA)));
    Message reply = new Message.TimeoutNow(joiner, A, 7);
    sendUntil(j, reply, () -> inboxA.received().contains(reply));

    // The configuration arrives: it replaces what was learned.
    j.setPeers(Map.of(A, hostPort(addrA), B, "127.0.0.1:3"));
    assertThat(j.peerAddresses().keySet()).containsExactly(A, B);
    assertThat(a.rejectedFrames()).isZero();
    assertThat(j.rejectedFrames()).isZero();
  }

  @Test
  void anAdvertisedAddressIsWhereRepliesGo() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrJ = LoopbackPorts.freeLoopbackAddress();
    NodeId joiner = NodeId.of("j");
    RecordingInbox inboxJ = new RecordingInbox();
    // A listens on every interface and advertises its loopback address explicitly.
    GrpcTransport a =
        start(
            node(A, new InetSocketAddress("0.0.0.0", addrA.getPort()))
                .advertise(hostPort(addrA))
                .peer(joiner, addrJ),
            new RecordingInbox());
    GrpcTransport j = start(node(joiner, addrJ), inboxJ);
    Message m = new Message.TimeoutNow(A, joiner, 1);
    sendUntil(a, m, () -> inboxJ.received().contains(m));
    assertThat(j.peerAddresses()).containsExactly(Map.entry(A, hostPort(addrA)));
  }

  @Test
  void theTransportFollowsTheReplicatedConfiguration() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    RecordingInbox inboxB = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA).peer(C, "127.0.0.1:4"), new RecordingInbox());
    start(node(B, addrB), inboxB);

    // An empty configuration (a joining node) changes nothing.
    a.membershipChanged(Membership.empty());
    assertThat(a.peerAddresses().keySet()).containsExactly(C);

    // Members come with addresses; C has none in the configuration and keeps the one known.
    a.membershipChanged(
        Membership.builder()
            .voter(A, hostPort(addrA))
            .voter(C)
            .learner(B, hostPort(addrB))
            .learner(D, "not an address")
            .build());
    assertThat(a.peerAddresses())
        .containsExactlyInAnyOrderEntriesOf(Map.of(B, hostPort(addrB), C, "127.0.0.1:4"));
    Message m = new Message.TimeoutNow(A, B, 1);
    sendUntil(a, m, () -> inboxB.received().contains(m));

    // B leaves.
    a.membershipChanged(Membership.builder().voter(A, hostPort(addrA)).voter(C).build());
    assertThat(a.peerAddresses().keySet()).containsExactly(C);
  }

  @Test
  void withUnknownSendersRefusedAStrangerIsNotHeard() throws Exception {
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrJ = LoopbackPorts.freeLoopbackAddress();
    NodeId joiner = NodeId.of("j");
    RecordingInbox inboxJ = new RecordingInbox();
    GrpcTransport a = start(node(A, addrA).peer(joiner, addrJ), new RecordingInbox());
    GrpcTransport j = start(node(joiner, addrJ).acceptUnknownSenders(false), inboxJ);
    awaitUntil(
        TIMEOUT,
        () -> {
          a.send(new Message.TimeoutNow(A, joiner, 1));
          return j.rejectedFrames() > 0;
        });
    assertThat(inboxJ.received()).isEmpty();
    assertThat(j.peerAddresses()).isEmpty();
  }
}
