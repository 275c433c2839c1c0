package io.jangada.raft.grpc;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Plain words for why a TLS connection failed, from the exception gRPC or Netty reports (a cause
 * chain that holds an {@link SSLException}), told by the side that connected ({@link #describe}) or
 * by the side that accepted ({@link #describeAccepted}). Stateless; any thread.
 */
final class TlsFailure {

  private static final int MAX_DETAIL_CHARS = 200;

  private TlsFailure() {}

  /** What went wrong, independent of which side tells it. */
  private enum Kind {
    UNTRUSTED,
    EXPIRED,
    WRONG_NAME,
    PLAINTEXT,
    NO_CLIENT_CERTIFICATE,
    OURS_REJECTED,
    REJECTED,
    OTHER
  }

  /**
   * What went wrong on a connection this node opened, e.g. {@code certificate not trusted by our CA
   * (PKIX path building failed…)}; empty if {@code failure} is not a TLS failure.
   */
  static Optional<String> describe(Throwable failure) {
    return classify(failure)
        .map(
            c ->
                (switch (c.kind) {
                      case UNTRUSTED -> "certificate not trusted by our CA";
                      case EXPIRED -> "certificate expired or not yet valid";
                      case WRONG_NAME -> "certificate does not name the address we connect to";
                      case PLAINTEXT -> "the peer does not speak TLS (a plaintext port?)";
                      case OURS_REJECTED, NO_CLIENT_CERTIFICATE ->
                          "the peer did not accept our client certificate (mutual TLS: is it"
                              + " signed by the CA the peer trusts?)";
                      case REJECTED -> "the peer rejected the handshake";
                      case OTHER -> "TLS error";
                    })
                    + " ("
                    + c.detail
                    + ")");
  }

  /**
   * What went wrong on a connection another node or a client opened to this one, in the words of
   * the accepting side, e.g. {@code its certificate is not trusted by our CA (…)}; empty if {@code
   * failure} is no TLS failure or none an operator can act on here (the connection closed before
   * the handshake ended, a handshake timeout: a port probe or a client giving up).
   */
  static Optional<String> describeAccepted(Throwable failure) {
    return classify(failure)
        .flatMap(
            c ->
                Optional.ofNullable(
                        switch (c.kind) {
                          case UNTRUSTED ->
                              "its certificate is not trusted by our CA (is it signed by the CA"
                                  + " this node trusts?)";
                          case EXPIRED -> "its certificate expired or is not yet valid";
                          case PLAINTEXT ->
                              "it does not speak TLS (a node or client configured without TLS?)";
                          case NO_CLIENT_CERTIFICATE ->
                              "it sent no client certificate signed by the CA this node trusts (mutual TLS"
                                  + " is required here; a client leaves out a certificate of"
                                  + " another CA)";
                          case OURS_REJECTED ->
                              "it did not accept our certificate (is ours signed by the CA it"
                                  + " trusts?)";
                          case REJECTED -> "it rejected the handshake (its log says why)";
                          case WRONG_NAME, OTHER -> null;
                        })
                    .map(why -> why + " (" + c.detail + ")"));
  }

  private record Classified(Kind kind, String detail) {}

  private static Optional<Classified> classify(Throwable failure) {
    SSLException ssl = null;
    Kind kind = null;
    Throwable detail = null;
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      String lower = message.toLowerCase(Locale.ROOT);
      if (ssl == null && t instanceof SSLException s) {
        ssl = s;
      }
      if (kind != null || (t.getCause() != null && message.equals(t.getCause().toString()))) {
        continue; // found, or a wrapper whose message is its cause's: the cause tells better
      }
      if (t instanceof CertPathBuilderException
          || t instanceof CertPathValidatorException
          || lower.contains("unable to find valid certification path")
          || lower.contains("certificate_verify_failed")) {
        kind = Kind.UNTRUSTED;
      } else if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException) {
        kind = Kind.EXPIRED;
      } else if (lower.contains("subject alternative name") || lower.contains("no name matching")) {
        kind = Kind.WRONG_NAME;
      } else if (t.getClass().getSimpleName().equals("NotSslRecordException")
          || lower.contains("wrong_version_number")
          || lower.contains("not an ssl/tls record")) {
        kind = Kind.PLAINTEXT;
      } else if (lower.contains("peer_did_not_return_a_certificate")
          || lower.contains("empty client certificate chain")) {
        kind = Kind.NO_CLIENT_CERTIFICATE;
      } else if (lower.contains("certificate_required")
          || lower.contains("bad_certificate")
          || lower.contains("unknown_ca")
          || lower.contains("certificate_unknown")) {
        kind = Kind.OURS_REJECTED;
      } else if (lower.contains("alert")) {
        kind = Kind.REJECTED;
      } else {
        continue;
      }
      detail = t;
    }
    if (ssl == null && kind != Kind.PLAINTEXT) {
      return Optional.empty(); // Netty's NotSslRecordException is no SSLException, but TLS's
    }
    if (kind == null) {
      kind = Kind.OTHER;
      detail = ssl;
    }
    String text = String.valueOf(detail.getMessage());
    int openSsl = text.lastIndexOf("OPENSSL_internal:"); // BoringSSL's "error:…:OPENSSL_internal:X"
    if (openSsl >= 0) {
      text = text.substring(openSsl + "OPENSSL_internal:".length());
    }
    int hexDump = text.indexOf("record: "); // Netty's "not an SSL/TLS record: <hex>"
    if (hexDump >= 0) {
      text = text.substring(0, hexDump + "record".length());
    }
    if (text.length() > MAX_DETAIL_CHARS) {
      text = text.substring(0, MAX_DETAIL_CHARS) + "…";
    }
    return Optional.of(new Classified(kind, text));
  }
}
