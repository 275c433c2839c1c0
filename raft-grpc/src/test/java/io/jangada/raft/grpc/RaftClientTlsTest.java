package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftNode;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RaftClient} over TLS and mutual TLS to a node serving the client protocol on its TLS Raft
 * port, with the test certificates in src/test/resources/tls (see its README).
 */
class RaftClientTlsTest {

  private static final NodeId N1 = NodeId.of("n1");

  private final InetSocketAddress address = LoopbackPorts.freeLoopbackAddress();
  private GrpcTransport transport;
  private RaftNode node;

  @AfterEach
  void close() {
    if (node != null) {
      node.close();
    }
    if (transport != null) {
      transport.close();
    }
  }

  private static Path pem(String name) {
    try {
      return Path.of(RaftClientTlsTest.class.getResource("/tls/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A one-node cluster whose transport (and so client service) is secured by {@code security}. */
  private void startNode(UnaryOperator<GrpcTransport.Builder> security) throws Exception {
    transport =
        security.apply(GrpcTransport.builder().self(N1).clusterId("tls").listen(address)).build();
    node =
        TestNodes.inMemory(N1, Membership.ofVoters(N1), transport, Duration.ofMillis(10)).build();
    transport.serveClients(node);
    node.start().get(30, TimeUnit.SECONDS);
  }

  private RaftClient.Builder client(Duration deadline) {
    return RaftClient.builder()
        .endpoints("127.0.0.1:" + address.getPort())
        .clusterId("tls")
        .deadline(deadline)
        .attemptTimeout(Duration.ofSeconds(2));
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void aClientTrustingTheCaSubmitsAndQueriesOverTls() throws Exception {
    startNode(b -> b.tls(pem("server.pem"), pem("server.key"), pem("ca.pem")));
    try (RaftClient client = client(Duration.ofSeconds(20)).tls(pem("ca.pem")).build()) {
      assertThat(client.submit(Bytes.ofUtf8("a")).get(30, TimeUnit.SECONDS).toUtf8())
          .isEqualTo("1");
      assertThat(client.submit(Bytes.ofUtf8("b")).get(30, TimeUnit.SECONDS).toUtf8())
          .isEqualTo("2");
      assertThat(
              client
                  .query(Bytes.ofUtf8("all"), ReadConsistency.LINEARIZABLE)
                  .get(30, TimeUnit.SECONDS)
                  .toUtf8())
          .isEqualTo("a,b");
    }
    // A plain-text client cannot talk to the TLS port, nor one trusting another CA.
    try (RaftClient plain = client(Duration.ofSeconds(2)).build()) {
      assertThat(failure(plain.submit(Bytes.ofUtf8("c")))).isInstanceOf(NoLeaderException.class);
    }
    try (RaftClient rogue = client(Duration.ofSeconds(2)).tls(pem("rogue-ca.pem")).build()) {
      assertThat(failure(rogue.submit(Bytes.ofUtf8("d")))).isInstanceOf(NoLeaderException.class);
    }
    assertThat(node.query(Bytes.ofUtf8("all")).get(30, TimeUnit.SECONDS).toUtf8()).isEqualTo("a,b");
  }

  @Test
  void mutualTlsRequiresAClientCertificateFromTheTrustedCa() throws Exception {
    startNode(
        b ->
            b.tls(pem("server.pem"), pem("server.key"), pem("ca.pem"))
                .clientCertificate(pem("client.pem"), pem("client.key")));
    try (RaftClient client =
        client(Duration.ofSeconds(20))
            .tls(pem("ca.pem"))
            .clientCertificate(pem("client.pem"), pem("client.key"))
            .build()) {
      assertThat(client.submit(Bytes.ofUtf8("a")).get(30, TimeUnit.SECONDS).toUtf8())
          .isEqualTo("1");
    }
    try (RaftClient anonymous = client(Duration.ofSeconds(2)).tls(pem("ca.pem")).build()) {
      assertThat(failure(anonymous.submit(Bytes.ofUtf8("b"))))
          .isInstanceOf(NoLeaderException.class);
    }
    try (RaftClient rogue =
        client(Duration.ofSeconds(2))
            .tls(pem("ca.pem"))
            .clientCertificate(pem("rogue-client.pem"), pem("rogue-client.key"))
            .build()) {
      assertThat(failure(rogue.submit(Bytes.ofUtf8("c")))).isInstanceOf(NoLeaderException.class);
    }
    assertThat(node.query(Bytes.ofUtf8("all")).get(30, TimeUnit.SECONDS).toUtf8()).isEqualTo("a");
  }

  /** Bad TLS files fail the client's build, named, as the transport's do. */
  @Test
  void aTlsFileThatIsNotPemFailsTheBuildNamingIt(@org.junit.jupiter.api.io.TempDir Path dir)
      throws java.io.IOException {
    Path garbage = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RaftClient.builder().endpoints("127.0.0.1:1").clusterId("c").tls(garbage).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TLS trusted CA file " + garbage)
        .hasMessageContaining("is not a PEM certificate");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                RaftClient.builder()
                    .endpoints("127.0.0.1:1")
                    .clusterId("c")
                    .tls(pem("ca.pem"))
                    .clientCertificate(pem("client.pem"), pem("server.key"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to");
  }
}
