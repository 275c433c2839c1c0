package io.jangada.raft.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * PEM material for TLS, read when the builder is configured, and the gRPC credentials made from it.
 * Never modified after construction. Without a client certificate the server does not ask clients
 * for one; with it, both sides authenticate (mutual TLS) against the same trusted CA.
 */
final class TlsMaterial {
  private final byte[] certChain;
  private final byte[] privateKey;
  private final byte[] trustedCa;
  private final Optional<byte[]> clientCertChain;
  private final Optional<byte[]> clientPrivateKey;

  /** Shares the arrays, which nobody modifies (the builder only ever replaces them). */
  TlsMaterial(
      byte[] certChain,
      byte[] privateKey,
      byte[] trustedCa,
      Optional<byte[]> clientCertChain,
      Optional<byte[]> clientPrivateKey) {
    this.certChain = certChain;
    this.privateKey = privateKey;
    this.trustedCa = trustedCa;
    this.clientCertChain = clientCertChain;
    this.clientPrivateKey = clientPrivateKey;
  }

  /**
   * A gRPC server builder listening on {@code listen}: plain text when {@code tls} is empty, else
   * TLS (mutual with a client certificate) with failed handshakes reported to {@code handshakes}.
   */
  static NettyServerBuilder serverBuilder(
      SocketAddress listen, Optional<TlsMaterial> tls, AcceptedHandshakes handshakes)
      throws IOException {
    if (tls.isEmpty()) {
      return NettyServerBuilder.forAddress(listen, InsecureServerCredentials.create());
    }
    TlsMaterial t = tls.get();
    // What TlsServerCredentials would build (gRPC's ciphers, ALPN h2, the best provider), as a
    // Netty context and negotiator so that failed handshakes can be watched (AcceptedHandshakes).
    SslContextBuilder b = GrpcSslContexts.forServer(in(t.certChain), in(t.privateKey));
    if (t.clientCertChain.isPresent()) {
      b.trustManager(in(t.trustedCa)).clientAuth(ClientAuth.REQUIRE);
    }
    return NettyServerBuilder.forAddress(listen)
        .protocolNegotiator(handshakes.negotiator(b.build()));
  }

  /** Plain text when {@code tls} is empty. */
  static ChannelCredentials channelCredentials(Optional<TlsMaterial> tls) throws IOException {
    if (tls.isEmpty()) {
      return InsecureChannelCredentials.create();
    }
    TlsMaterial t = tls.get();
    TlsChannelCredentials.Builder b =
        TlsChannelCredentials.newBuilder().trustManager(in(t.trustedCa));
    if (t.clientCertChain.isPresent()) {
      b.keyManager(in(t.clientCertChain.get()), in(t.clientPrivateKey.orElseThrow()));
    }
    return b.build();
  }

  private static ByteArrayInputStream in(byte[] pem) {
    return new ByteArrayInputStream(pem);
  }

  /**
   * What {@link GrpcTransport.Builder#tls} and {@link GrpcTransport.Builder#clientCertificate} were
   * given: the PEM bytes, read and checked ({@link PemCheck}) when they are given, so a bad file is
   * named at configuration and not when the transport first listens or connects. Not thread-safe (a
   * builder's part).
   */
  static final class Settings {
    private byte[] certChain;
    private byte[] privateKey;
    private byte[] trustedCa;
    private byte[] clientCertChain;
    private byte[] clientPrivateKey;

    /** The server's certificate and key, and the CA that peers' certificates must chain to. */
    void server(Path certChainPem, Path privateKeyPem, Path trustedCaPem) {
      server(
          read(certChainPem),
          "TLS certificate " + certChainPem,
          read(privateKeyPem),
          "TLS private key " + privateKeyPem,
          read(trustedCaPem),
          "TLS trusted CA file " + trustedCaPem);
    }

    /** As {@link #server(Path, Path, Path)}, reading (not closing) the streams now. */
    void server(InputStream certChainPem, InputStream privateKeyPem, InputStream trustedCaPem) {
      server(
          read(certChainPem),
          "the TLS certificate stream",
          read(privateKeyPem),
          "the TLS private key stream",
          read(trustedCaPem),
          "the TLS trusted CA stream");
    }

    private void server(
        byte[] certChain,
        String certSource,
        byte[] privateKey,
        String keySource,
        byte[] trustedCa,
        String caSource) {
      PemCheck.keyPair(certChain, certSource, privateKey, keySource);
      PemCheck.certificates(trustedCa, caSource);
      this.certChain = certChain;
      this.privateKey = privateKey;
      this.trustedCa = trustedCa;
    }

    /** The certificate and key this node presents to peers (mutual TLS). */
    void client(Path certChainPem, Path privateKeyPem) {
      client(
          read(certChainPem),
          "TLS client certificate " + certChainPem,
          read(privateKeyPem),
          "TLS client private key " + privateKeyPem);
    }

    /** As {@link #client(Path, Path)}, reading (not closing) the streams now. */
    void client(InputStream certChainPem, InputStream privateKeyPem) {
      client(
          read(certChainPem),
          "the TLS client certificate stream",
          read(privateKeyPem),
          "the TLS client private key stream");
    }

    private void client(byte[] certChain, String certSource, byte[] privateKey, String keySource) {
      PemCheck.keyPair(certChain, certSource, privateKey, keySource);
      this.clientCertChain = certChain;
      this.clientPrivateKey = privateKey;
    }

    /**
     * @throws IllegalStateException if a client certificate was given without the server's
     */
    void check() {
      if (clientCertChain != null && certChain == null) {
        throw new IllegalStateException("clientCertificate needs tls(...) as well");
      }
    }

    /** The material, or empty for plain text. */
    Optional<TlsMaterial> material() {
      return certChain == null
          ? Optional.empty()
          : Optional.of(
              new TlsMaterial(
                  certChain,
                  privateKey,
                  trustedCa,
                  Optional.ofNullable(clientCertChain),
                  Optional.ofNullable(clientPrivateKey)));
    }

    private static byte[] read(Path file) {
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read TLS file " + file, e);
      }
    }

    private static byte[] read(InputStream in) {
      try {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read TLS material", e);
      }
    }
  }
}
