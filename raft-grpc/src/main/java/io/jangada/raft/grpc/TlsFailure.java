package io.jangada.raft.grpc;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Plain words for why a TLS connection failed, from the exception gRPC reports (a status whose
 * cause chain holds an {@link SSLException}). Stateless; any thread.
 */
final class TlsFailure {

  private static final int MAX_DETAIL_CHARS = 200;

  private TlsFailure() {}

  /**
   * What went wrong, e.g. {@code certificate not trusted by our CA (PKIX path building failed…)};
   * empty if {@code failure} is not a TLS failure.
   */
  static Optional<String> describe(Throwable failure) {
    SSLException ssl = null;
    String why = null;
    Throwable detail = null;
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      String lower = message.toLowerCase(Locale.ROOT);
      if (ssl == null && t instanceof SSLException s) {
        ssl = s;
      }
      if (why != null) {
        continue;
      }
      if (t instanceof CertPathBuilderException
          || t instanceof CertPathValidatorException
          || lower.contains("unable to find valid certification path")
          || lower.contains("certificate_verify_failed")) {
        why = "certificate not trusted by our CA";
      } else if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException) {
        why = "certificate expired or not yet valid";
      } else if (lower.contains("subject alternative name") || lower.contains("no name matching")) {
        why = "certificate does not name the address we connect to";
      } else if (t.getClass().getSimpleName().equals("NotSslRecordException")
          || lower.contains("wrong_version_number")
          || lower.contains("not an ssl/tls record")) {
        why = "the peer does not speak TLS (a plaintext port?)";
      } else if (lower.contains("certificate_required")
          || lower.contains("bad_certificate")
          || lower.contains("unknown_ca")
          || lower.contains("certificate_unknown")) {
        why =
            "the peer did not accept our client certificate (mutual TLS: is it signed by the CA"
                + " the peer trusts?)";
      } else if (lower.contains("alert")) {
        why = "the peer rejected the handshake";
      } else {
        continue;
      }
      detail = t;
    }
    if (ssl == null) {
      return Optional.empty();
    }
    if (why == null) {
      why = "TLS error";
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
    return Optional.of(why + " (" + text + ")");
  }
}
