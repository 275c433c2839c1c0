package io.jangada.raft.grpc;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the TLS handshakes that fail on connections this node accepts. gRPC logs them only at
 * {@code java.util.logging} FINE and without the cause, so a peer or client with a certificate our
 * CA does not trust, without a client certificate under mutual TLS, or without TLS at all, was
 * invisible on this side. Each such failure is a WARN (at most one per 10 s, the next one counting
 * the suppressed): {@code n2: an incoming connection failed its TLS handshake: its certificate is
 * not trusted by our CA (…)}. gRPC does not tell the remote address at that point; the connecting
 * node's own WARN names this node. Connections that close before their handshake ends (port probes,
 * clients giving up) are DEBUG only. Thread-safe: the callbacks run on the connections' event
 * loops.
 */
final class AcceptedHandshakes {

  private static final Logger log = LoggerFactory.getLogger(AcceptedHandshakes.class);
  static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

  private final String self;
  private final RateLimitedLog warnings = new RateLimitedLog(log, WARN_INTERVAL);

  AcceptedHandshakes(String self) {
    this.self = self;
  }

  /**
   * gRPC's TLS negotiator for a server with context {@code server}, each accepted connection's
   * handshake watched by this reporter. Built on gRPC's internal negotiator API (shaded and pinned
   * with raft-grpc: GrpcTransportTlsTest fails if an upgrade changes it): its public TLS
   * credentials offer no hook, and gRPC creates each connection's SslHandler itself.
   */
  InternalProtocolNegotiator.ProtocolNegotiator negotiator(SslContext server) {
    return new Negotiator(InternalProtocolNegotiators.serverTls(server), this);
  }

  /** A handshake on an accepted connection failed with {@code cause}. Any thread. */
  void failed(Throwable cause) {
    Optional<String> why = TlsFailure.describeAccepted(cause);
    if (why.isPresent()) {
      warnings.warn(self + ": an incoming connection failed its TLS handshake: " + why.get());
    } else {
      log.debug("{}: an incoming connection ended before its TLS handshake completed", self, cause);
    }
  }

  /** gRPC's server TLS negotiator, with a watch on each connection's handshake. */
  private static final class Negotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private final InternalProtocolNegotiator.ProtocolNegotiator tls;
    private final AcceptedHandshakes reporter;

    Negotiator(InternalProtocolNegotiator.ProtocolNegotiator tls, AcceptedHandshakes reporter) {
      this.tls = tls;
      this.reporter = reporter;
    }

    @Override
    public AsciiString scheme() {
      return tls.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
      return new Watch(tls.newHandler(grpcHandler), reporter);
    }

    @Override
    public void close() {
      tls.close();
    }
  }

  /**
   * Goes in front of gRPC's TLS handler, which adds the connection's SslHandler once the connection
   * is active; then listens to that SslHandler's handshake and leaves the pipeline, so nothing of
   * this class stays on the connection's path.
   */
  private static final class Watch extends ChannelInboundHandlerAdapter {
    private final ChannelHandler tls;
    private final AcceptedHandshakes reporter;

    Watch(ChannelHandler tls, AcceptedHandshakes reporter) {
      this.tls = tls;
      this.reporter = reporter;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.pipeline().addAfter(ctx.name(), null, tls);
    }

    /** The accepted connection's first event once its pipeline is built. Its event loop. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.fireChannelActive(); // gRPC's handler adds the SslHandler now
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ssl.handshakeFuture()
            .addListener(
                done -> {
                  if (!done.isSuccess()) {
                    reporter.failed(done.cause());
                  }
                });
      }
      ctx.pipeline().remove(this);
    }
  }
}
