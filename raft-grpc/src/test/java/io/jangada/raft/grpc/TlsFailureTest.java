package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The plain-words reasons for failed TLS handshakes, from the exceptions gRPC reports. */
class TlsFailureTest {

  private static Throwable unavailable(Throwable cause) {
    return Status.UNAVAILABLE.withDescription("io exception").withCause(cause).asRuntimeException();
  }

  @Test
  void aCertificateWithoutTheDialledAddressIsNamed() {
    SSLHandshakeException e = new SSLHandshakeException("No subject alternative names present");
    e.initCause(
        new CertificateException("No subject alternative names matching IP address 10.0.0.2"));

    assertThat(TlsFailure.describe(unavailable(e)))
        .hasValue(
            "certificate does not name the address we connect to (No subject alternative names"
                + " present)");
  }

  @Test
  void aRejectedClientCertificateIsNamed() {
    SSLHandshakeException e =
        new SSLHandshakeException(
            "error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED");

    assertThat(TlsFailure.describe(unavailable(e)).orElseThrow())
        .startsWith("the peer did not accept our client certificate")
        .endsWith("(TLSV1_ALERT_CERTIFICATE_REQUIRED)");
  }

  @Test
  void anotherSslFailureIsReportedWithItsMessage() {
    assertThat(TlsFailure.describe(unavailable(new SSLHandshakeException("odd"))))
        .hasValue("TLS error (odd)");
  }

  @Test
  void aFailureWithoutTlsIsNotATlsFailure() {
    assertThat(TlsFailure.describe(unavailable(new ConnectException("Connection refused"))))
        .isEmpty();
    assertThat(TlsFailure.describe(new IOException("unable to find valid certification path")))
        .isEmpty();
  }
}
