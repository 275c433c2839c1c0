package io.jangada.raft.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.contract.TransportContract.RecordingInbox;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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

  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalStderr;

  @AfterEach
  void close() {
    transports.forEach(GrpcTransport::close);
    if (originalStderr != null) {
      System.setErr(originalStderr);
    }
  }

  /** From now on, what the transports log (slf4j-simple writes to System.err) is kept. */
  private void captureLog() {
    originalStderr = System.err;
    System.setErr(new PrintStream(new TeeStream(stderr, originalStderr), true, UTF_8));
  }

  /** Waits until the captured log has a line containing {@code text}. */
  private void awaitLogLine(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!stderr.toString(UTF_8).contains(text)) {
      assertThat(System.nanoTime() - deadline)
          .as("a log line with %s in:%n%s", text, stderr.toString(UTF_8))
          .isNegative();
      Thread.sleep(20);
    }
  }

  /** Writes to both streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
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
    captureLog();
    UnaryOperator<GrpcTransport.Builder> rogue =
        b -> tls(b).clientCertificate(pem("rogue-client.pem"), pem("rogue-client.key"));
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, rogue);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::mutualTls);

    assertRejected(a);
    // A client leaves out a certificate the server's CA list does not name: "none" on this side.
    awaitLogLine(
        "WARN io.jangada.raft.grpc.AcceptedHandshakes - b: an incoming connection failed its TLS"
            + " handshake: it sent no client certificate signed by the CA this node trusts");
  }

  @Test
  void aClientWithoutCertificateIsRejectedByAMutualTlsServer() throws Exception {
    captureLog();
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, GrpcTransportTlsTest::tls);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::mutualTls);

    assertRejected(a);
    awaitLogLine(
        "b: an incoming connection failed its TLS handshake: it sent no client certificate signed"
            + " by the CA this node trusts (mutual TLS is required here");
  }

  @Test
  void aPlainTextClientIsRejectedByATlsServer() throws Exception {
    captureLog();
    GrpcTransport a = start(A, addrA, B, addrB, inboxA, b -> b);
    start(B, addrB, A, addrA, inboxB, GrpcTransportTlsTest::tls);

    assertRejected(a);
    awaitLogLine(
        "b: an incoming connection failed its TLS handshake: it does not speak TLS (a node or"
            + " client configured without TLS?) (not an SSL/TLS record)");
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
