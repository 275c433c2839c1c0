package io.jangada.raft.examples.kv.server;

import io.jangada.raft.ReadConsistency;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.model.Bytes;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Parsing and validation of the parts of an HTTP request; failures are 4xx {@link HttpError}s. */
final class RequestParsing {

  private RequestParsing() {}

  /**
   * The {@code consistency} parameter's value; linearizable when the parameter is absent (null).
   */
  static ReadConsistency parseConsistency(String text) {
    if (text == null) {
      return ReadConsistency.LINEARIZABLE;
    }
    for (ReadConsistency c : ReadConsistency.values()) {
      if (c.name().equalsIgnoreCase(text)) {
        return c;
      }
    }
    throw new HttpError(
        400, "consistency must be linearizable, lease or stale, not '" + text + "'");
  }

  static void requireMethod(String method, Set<String> allowed) {
    if (!allowed.contains(method)) {
      java.util.Set<String> allow = new java.util.TreeSet<>(allowed);
      if (allow.contains("GET")) {
        allow.add("HEAD"); // answered as GET without the body (KvHttpServer)
      }
      throw new HttpError(405, "method " + method + " not allowed here")
          .header("Allow", String.join(", ", allow));
    }
  }

  static void allowParams(Map<String, String> params, Set<String> allowed) {
    for (String name : params.keySet()) {
      if (!allowed.contains(name)) {
        throw new HttpError(400, "unknown query parameter '" + name + "'")
            .with("allowed", new java.util.TreeSet<>(allowed));
      }
    }
  }

  static Bytes decodeKey(String rawKey) {
    String key = decodeStrictUtf8(rawKey);
    if (key.isEmpty()) {
      throw new HttpError(400, "the key must not be empty: use /v1/kv/{key}");
    }
    Bytes bytes = Bytes.ofUtf8(key);
    if (bytes.size() > KvCodec.MAX_KEY_BYTES) {
      throw new HttpError(414, "key longer than " + KvCodec.MAX_KEY_BYTES + " bytes");
    }
    return bytes;
  }

  /**
   * Percent-decodes a path segment ('+' stays a plus) and requires the bytes to be valid UTF-8:
   * otherwise distinct byte strings ({@code %ff}, {@code %fe}, {@code %EF%BF%BD}) would all decode
   * to U+FFFD and name the same key.
   */
  static String decodeStrictUtf8(String raw) {
    if (isPlainAscii(raw)) {
      return raw; // nothing to decode (the usual key)
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new HttpError(400, "malformed key: incomplete escape at position " + i);
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new HttpError(400, "malformed key: bad escape at position " + i);
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        int codePoint = raw.codePointAt(i);
        byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
        i += Character.charCount(codePoint) - 1;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new HttpError(400, "malformed key: not valid UTF-8 once percent-decoded");
    }
  }

  /** True if {@code raw} has only ASCII characters and no percent sign. */
  private static boolean isPlainAscii(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= 0x80 || c == '%') {
        return false;
      }
    }
    return true;
  }

  /** The query's parameters in their order (read-only; empty without a query). */
  static Map<String, String> parseQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Map.of();
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (params.put(name, value) != null) {
          throw new HttpError(400, "query parameter '" + name + "' given twice");
        }
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "malformed query string: " + e.getMessage());
      }
    }
    return params;
  }
}
