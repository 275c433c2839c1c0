package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.contract.TransportContract.RecordingInbox;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TLS and mutual TLS with the test certificates in src/test/resources/tls (see its README). */
class GrpcTransportTlsTest {

  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
  private final InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
  private final RecordingInbox inboxA = new RecordingInbox();
  private final RecordingInbox inboxB = new RecordingInbox();
  private final List<GrpcTransport> transports = new ArrayList<>();

  @AfterEach
  void close() {
    transports.forEach(GrpcTransport::close);
  }

  private static Path pem(String name) {
    try {
      return Path.of(GrpcTransportTlsTest.class.getResource("/tls/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static GrpcTransport.Builder tls(GrpcTransport.Builder b) {
    return b.tls(pem("server.pem"), pem("server.key"), pem("ca.pem"));
  }

  private static GrpcTransport.Builder mutualTls(GrpcTransport.Builder b) {
    return tls(b).clientCertificate(pem("client.pem"), pem("client.key"));
  }

  private GrpcTransport start(
      NodeId self,
      InetSocketAddress listen,
      NodeId peer,
      InetSocketAddress peerAddress,
      RecordingInbox inbox,
      UnaryOperator<GrpcTransport.Builder> security)
      throws IOException {
    GrpcTransport t =
        security
            .apply(
                GrpcTransport.builder()
                    .self(self)
                    .clusterId("tls")
                    .listen(listen)
                    .peer(peer, peerAddress)
                    .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)))
            .build();
    transports.add(t);
    t.start(inbox);
    return t;
  }

  private static void sendUntil(GrpcTransport from, Message m, BooleanSupplier done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("timed out resending %s", m).isNegative();
      from.send(m);
      TransportContract.awaitUntilOrTimeout(Duration.ofMillis(50), done);
    }
  }

  private void assertBothDirectionsWork(GrpcTransport a, GrpcTransport b) {
    Message ab = new Message.TimeoutNow(A, B, 1);
    sendUntil(a, ab, () -> inboxB.received().contains(ab));
    Message ba = new Message.TimeoutNow(B, A, 2);
    sendUntil(b, ba, () -> inboxA.received().contains(ba));
  }

  @Test
  void tlsDelivers() throws Exception {
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, GrpcTransportTlsTest::tls);
    GrpcTransport b = start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::tls);
    assertBothDirectionsWork(a, b);
  }

  @Test
  void mutualTlsDelivers() throws Exception {
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, GrpcTransportTlsTest::mutualTls);
    GrpcTransport b = start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::mutualTls);
    assertBothDirectionsWork(a, b);
  }

  @Test
  void tlsMaterialMayComeFromStreams() throws Exception {
    UnaryOperator<GrpcTransport.Builder> fromStreams =
        b -> {
          try (InputStream cert = resource("server.pem");
              InputStream key = resource("server.key");
              InputStream ca = resource("ca.pem");
              InputStream clientCert = resource("client.pem");
              InputStream clientKey = resource("client.key")) {
            return b.tls(cert, key, ca).clientCertificate(clientCert, clientKey);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        };
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, fromStreams);
    GrpcTransport b = start(B, addrB, A, addrA, inboxB, fromStreams);
    assertBothDirectionsWork(a, b);
  }

  private static InputStream resource(String name) {
    return GrpcTransportTlsTest.class.getResourceAsStream("/tls/" + name);
  }

  @Test
  void aClientWhoseCertificateIsNotTrustedIsRejected() throws Exception {
    UnaryOperator<GrpcTransport.Builder> rogue =
        b -> tls(b).clientCertificate(pem("rogue-client.pem"), pem("rogue-client.key"));
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, rogue);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::mutualTls);

    assertRejected(a);
  }

  @Test
  void aClientWithoutCertificateIsRejectedByAMutualTlsServer() throws Exception {
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, GrpcTransportTlsTest::tls);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::mutualTls);

    assertRejected(a);
  }

  @Test
  void aPlainTextClientIsRejectedByATlsServer() throws Exception {
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, b -> b);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::tls);

    assertRejected(a);
  }

  private void assertRejected(GrpcTransport a) {
    Message m = new Message.TimeoutNow(A, B, 1);
    sendUntil(a, m, () -> inboxA.unreachable().contains(B));
    inboxA.clear();
    sendUntil(a, m, () -> inboxA.unreachable().contains(B)); // still failing, not a startup race
    assertThat(inboxB.received()).isEmpty();
  }
}
