package io.jangada.raft.grpc;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks PEM material when it is configured, so that a wrong file fails at once with its name
 * (instead of at {@code start}, blamed on the listen address, or as silently unreachable peers).
 * Parses what gRPC's Netty TLS parses: X.509 certificates and unencrypted PKCS#8 keys; checks that
 * a key belongs to its certificate by signing a few bytes with it and verifying with the
 * certificate's public key. Stateless; any thread.
 */
final class PemCheck {

  private static final Pattern PRIVATE_KEY =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(.*?)-----END \\1PRIVATE KEY-----",
          Pattern.DOTALL);

  private PemCheck() {}

  /**
   * The certificates in {@code pem} (at least one).
   *
   * @throws IllegalArgumentException naming {@code source} and what is wrong
   */
  static List<X509Certificate> certificates(byte[] pem, String source) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(
          source + " is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)");
    }
    Collection<? extends Certificate> parsed;
    try {
      parsed =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          source + " is not a valid PEM certificate: " + e.getMessage(), e);
    }
    List<X509Certificate> result = new ArrayList<>();
    for (Certificate c : parsed) {
      result.add((X509Certificate) c);
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(source + " is not a valid PEM certificate");
    }
    return result;
  }

  /**
   * Checks that {@code keyPem} is an unencrypted PKCS#8 private key for the first certificate of
   * {@code certPem}.
   *
   * @throws IllegalArgumentException naming the files and what is wrong
   */
  static void keyPair(byte[] certPem, String certSource, byte[] keyPem, String keySource) {
    X509Certificate cert = certificates(certPem, certSource).get(0);
    PrivateKey key = privateKey(keyPem, keySource, cert.getPublicKey().getAlgorithm());
    if (!belongTogether(key, cert.getPublicKey())) {
      throw new IllegalArgumentException(
          keySource
              + " does not belong to "
              + certSource
              + " (the certificate of "
              + cert.getSubjectX500Principal().getName()
              + ")");
    }
  }

  private static PrivateKey privateKey(byte[] pem, String source, String algorithm) {
    Matcher m = PRIVATE_KEY.matcher(new String(pem, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new IllegalArgumentException(
          source + " is not a PEM private key (no -----BEGIN PRIVATE KEY----- block)");
    }
    if (!m.group(1).isEmpty()) {
      throw new IllegalArgumentException(
          source
              + " is a "
              + m.group(1)
              + "PRIVATE KEY; an unencrypted PKCS#8 key (BEGIN PRIVATE KEY) is needed, e.g."
              + " from 'openssl pkcs8 -topk8 -nocrypt'");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          source + " is not a valid PKCS#8 " + algorithm + " private key: " + e.getMessage(), e);
    }
  }

  /** Whether {@code key} signs what {@code publicKey} verifies; true when that cannot be tried. */
  private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (publicKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "Ed25519", "Ed448", "EdDSA" -> publicKey.getAlgorithm();
          default -> null;
        };
    if (algorithm == null) {
      return true; // an exotic key type: leave it to the TLS handshake
    }
    byte[] probe = "jangada key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an EC key on another curve than the certificate's
    }
  }
}
