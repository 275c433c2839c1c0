package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.codec.DecoderException;
import io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
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

  @Test
  void theAcceptingSideNamesAClientCertificateItDoesNotTrust() {
    SSLHandshakeException e = new SSLHandshakeException("General OpenSslEngine problem");
    e.initCause(
        new CertificateException(
            "PKIX path building failed: unable to find valid certification path to requested"
                + " target"));

    assertThat(TlsFailure.describeAccepted(new DecoderException(e)).orElseThrow())
        .startsWith("its certificate is not trusted by our CA (is it signed by the CA this node")
        .endsWith(
            "(PKIX path building failed: unable to find valid certification path to"
                + " requested target)");
  }

  @Test
  void theAcceptingSideNamesAMissingClientCertificate() {
    SSLHandshakeException e =
        new SSLHandshakeException(
            "error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE");

    assertThat(TlsFailure.describeAccepted(e).orElseThrow())
        .startsWith("it sent no client certificate signed by the CA this node trusts (mutual TLS")
        .endsWith("(PEER_DID_NOT_RETURN_A_CERTIFICATE)");
  }

  @Test
  void theAcceptingSideNamesAPlaintextClientWithoutItsBytes() {
    NotSslRecordException e = new NotSslRecordException("not an SSL/TLS record: 505249202a20");

    assertThat(TlsFailure.describeAccepted(new DecoderException(e)))
        .hasValue(
            "it does not speak TLS (a node or client configured without TLS?) (not an SSL/TLS"
                + " record)");
  }

  @Test
  void theAcceptingSideNamesItsOwnCertificateRejected() {
    SSLException e =
        new SSLException("error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA");

    assertThat(TlsFailure.describeAccepted(e).orElseThrow())
        .startsWith("it did not accept our certificate")
        .endsWith("(TLSV1_ALERT_UNKNOWN_CA)");
  }

  @Test
  void aConnectionClosedBeforeItsHandshakeIsNothingTheAcceptingSideReports() {
    SSLException closed = new SSLException("SSLEngine closed already");
    closed.initCause(new ClosedChannelException());

    assertThat(TlsFailure.describeAccepted(closed)).isEmpty();
    assertThat(TlsFailure.describeAccepted(new ClosedChannelException())).isEmpty();
  }
}
