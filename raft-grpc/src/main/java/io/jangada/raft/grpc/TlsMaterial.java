package io.jangada.raft.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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

  /** Plain text when {@code tls} is empty. */
  static ServerCredentials serverCredentials(Optional<TlsMaterial> tls) throws IOException {
    if (tls.isEmpty()) {
      return InsecureServerCredentials.create();
    }
    TlsMaterial t = tls.get();
    TlsServerCredentials.Builder b =
        TlsServerCredentials.newBuilder().keyManager(in(t.certChain), in(t.privateKey));
    if (t.clientCertChain.isPresent()) {
      b.trustManager(in(t.trustedCa)).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return b.build();
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
}
