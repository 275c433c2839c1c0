package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.contract.TransportContract.RecordingInbox;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aPeerCertificateNotSignedByOurCaIsReportedAsATlsProblem() throws Exception {
    UnaryOperator<GrpcTransport.Builder> trustsRogueCa =
        b -> b.tls(pem("server.pem"), pem("server.key"), pem("rogue-ca.pem"));
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, trustsRogueCa);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::tls);

    assertProblem(
        a,
        "TLS handshake with b at 127.0.0.1:"
            + addrB.getPort()
            + " failed: certificate not trusted by our CA (");
  }

  @Test
  void aPeerRejectingOurClientCertificateIsReportedAsATlsProblem() throws Exception {
    UnaryOperator<GrpcTransport.Builder> rogue =
        b -> tls(b).clientCertificate(pem("rogue-client.pem"), pem("rogue-client.key"));
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, rogue);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::mutualTls);

    assertProblem(
        a,
        "TLS handshake with b at 127.0.0.1:"
            + addrB.getPort()
            + " failed: the peer did not accept our client certificate");
  }

  @Test
  void aTlsProblemIsForgottenOnceThePeerConnects() throws Exception {
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, GrpcTransportTlsTest::tls);
    GrpcTransport plain = start(B, addrB, A, addrA, inboxB, b -> b);
    assertProblem(
        a,
        "TLS handshake with b at 127.0.0.1:"
            + addrB.getPort()
            + " failed: the peer does not speak TLS (a plaintext port?)");

    plain.close();
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::tls);
    Message m = new Message.TimeoutNow(A, B, 1);
    sendUntil(a, m, () -> inboxB.received().contains(m));
    assertThat(a.problems()).isEmpty();
  }

  @Test
  void aFileThatIsNotPemFailsTheBuilderNamingIt(@TempDir Path dir) throws IOException {
    Path garbage = Files.writeString(dir.resolve("node.pem"), "not a certificate\n");

    assertThatThrownBy(() -> GrpcTransport.builder().tls(garbage, pem("server.key"), pem("ca.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("is not a PEM certificate");
    assertThatThrownBy(
            () -> GrpcTransport.builder().tls(pem("server.pem"), pem("server.key"), garbage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TLS trusted CA file " + garbage)
        .hasMessageContaining("is not a PEM certificate");
    assertThatThrownBy(
            () ->
                GrpcTransport.builder()
                    .tls(pem("server.pem"), pem("server.key"), pem("ca.pem"))
                    .clientCertificate(pem("client.pem"), garbage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("is not a PEM private key");
  }

  @Test
  void aKeyThatDoesNotMatchItsCertificateFailsTheBuilder() {
    assertThatThrownBy(
            () -> GrpcTransport.builder().tls(pem("server.pem"), pem("client.key"), pem("ca.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "TLS private key "
                + pem("client.key")
                + " does not belong to TLS certificate "
                + pem("server.pem")
                + " (the certificate of CN=jangada-test-server)");
    assertThatThrownBy(
            () ->
                GrpcTransport.builder()
                    .tls(pem("server.pem"), pem("server.key"), pem("ca.pem"))
                    .clientCertificate(pem("client.pem"), pem("server.key")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to TLS client certificate " + pem("client.pem"));
  }

  private void assertProblem(GrpcTransport a, String prefix) {
    Message m = new Message.TimeoutNow(A, B, 1);
    sendUntil(a, m, () -> a.problems().stream().anyMatch(p -> p.startsWith(prefix)));
    assertThat(inboxB.received()).isEmpty();
  }

  private void assertRejected(GrpcTransport a) {
    Message m = new Message.TimeoutNow(A, B, 1);
    sendUntil(a, m, () -> inboxA.unreachable().contains(B));
    inboxA.clear();
    sendUntil(a, m, () -> inboxA.unreachable().contains(B)); // still failing, not a startup race
    assertThat(inboxB.received()).isEmpty();
  }
}
