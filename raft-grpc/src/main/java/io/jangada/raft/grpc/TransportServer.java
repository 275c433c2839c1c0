package io.jangada.raft.grpc;

import com.google.common.net.HostAndPort;
import io.grpc.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The listening side of a {@link GrpcTransport}: one Netty server on the listen address that serves
 * the Raft stream ({@link RaftGrpcService}) and, as its fallback, the client services ({@link
 * GrpcTransport#serveClients}), with the transport's TLS and message size limit; and the addresses
 * that follow from where it is bound: the one frames advertise and the one clients are sent to.
 *
 * <p>Thread-safety: built, started and stopped by the transport under its lock ({@link
 * GrpcTransport#start}, {@link GrpcTransport#close}); the addresses on any thread.
 */
final class TransportServer {

  private final InetSocketAddress listen;
  private final Server server;

  /**
   * Builds the server (not started); with TLS, failed handshakes of accepted connections go to
   * {@code handshakes}.
   *
   * @throws IOException if the TLS material cannot be loaded
   */
  TransportServer(
      InetSocketAddress listen,
      Optional<TlsMaterial> tls,
      AcceptedHandshakes handshakes,
      Executor executor,
      int maxMessageSize,
      RaftGrpcService service,
      ClientServiceRegistry clientServices)
      throws IOException {
    this.listen = listen;
    this.server =
        TlsMaterial.serverBuilder(listen, tls, handshakes)
            .executor(executor)
            // Raft frames are decoded and handed to the inbox (which never blocks) on the
            // network thread that read them: no hop through the executor per frame. The client
            // service's handlers only hand requests to the node: they run there too.
            .callExecutor(RaftClientGrpcService.directFor(RaftGrpcService.DIRECT_FOR_RAFT_STREAM))
            .maxInboundMessageSize(maxMessageSize)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .addService(service.definition())
            .fallbackHandlerRegistry(clientServices)
            .build();
  }

  /** Binds the listen address and starts serving. */
  void start() throws IOException {
    server.start();
  }

  /** The address the server is bound to (with the real port when the listen port was 0). */
  InetSocketAddress boundAddress() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  /**
   * The address frames announce: {@code configured} if present, else the listen address unless it
   * is a wildcard (with the real port).
   */
  Optional<HostAndPort> advertised(Optional<HostAndPort> configured) {
    if (configured.isPresent()) {
      return configured;
    }
    if (wildcard()) {
      return Optional.empty();
    }
    return Optional.of(HostAndPort.fromParts(listen.getHostString(), boundAddress().getPort()));
  }

  /** The {@code host:port} clients reach this node at (loopback for a wildcard listen address). */
  String clientAddress() {
    String host = wildcard() ? "127.0.0.1" : listen.getHostString();
    return HostAndPort.fromParts(host, boundAddress().getPort()).toString();
  }

  /** Stops accepting calls and cancels the running ones. */
  void shutdownNow() {
    server.shutdownNow();
  }

  /** Waits up to {@code timeout} for the server to terminate. */
  void awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    server.awaitTermination(timeout, unit);
  }

  private boolean wildcard() {
    return listen.getAddress() != null && listen.getAddress().isAnyLocalAddress();
  }
}
