package io.jangada.raft.examples.kv.server;

import io.jangada.raft.ReadConsistency;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.model.Bytes;
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

  static void allowParams(Map<String, ?> params, Set<String> allowed) {
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
    return strictUtf8(percentDecode(raw, false, "key"), "malformed key");
  }

  /**
   * The bytes {@code raw} percent-encodes; {@code '+'} is a space if {@code plusIsSpace} (a query).
   * Characters outside ASCII count as their UTF-8 bytes.
   *
   * @throws HttpError 400 on a {@code %} not followed by two hex digits
   */
  static byte[] percentDecode(String raw, boolean plusIsSpace, String what) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new HttpError(400, "malformed " + what + ": incomplete escape at position " + i);
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new HttpError(400, "malformed " + what + ": bad escape at position " + i);
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        int codePoint = raw.codePointAt(i);
        byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
        i += Character.charCount(codePoint) - 1;
      }
    }
    return bytes.toByteArray();
  }

  /** {@code bytes} as UTF-8 text; a 400 starting with {@code what} if they are not valid UTF-8. */
  private static String strictUtf8(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new HttpError(400, what + ": not valid UTF-8 once percent-decoded");
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

  /**
   * The query's parameters in their order (read-only; empty without a query), as text: a name or
   * value that is not valid UTF-8 once percent-decoded is a 400 (never replaced by U+FFFD).
   */
  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    parseQueryBytes(rawQuery)
        .forEach(
            (name, value) ->
                params.put(
                    name,
                    strictUtf8(
                        value.toByteArray(), "malformed query string: parameter '" + name + "'")));
    return params;
  }

  /**
   * The query's parameters in their order (read-only; empty without a query), each value as the
   * bytes it percent-encodes ({@code '+'} is a space, as in every form-encoded query; {@code %2B} a
   * plus): for a value compared with stored bytes ({@code prevValue}), which need not be text.
   */
  static Map<String, Bytes> parseQueryBytes(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Map.of();
    }
    Map<String, Bytes> params = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name =
          strictUtf8(
              percentDecode(eq < 0 ? pair : pair.substring(0, eq), true, "query string"),
              "malformed query string: a parameter name");
      Bytes value =
          Bytes.wrapUnsafe(
              eq < 0 ? new byte[0] : percentDecode(pair.substring(eq + 1), true, "query string"));
      if (params.put(name, value) != null) {
        throw new HttpError(400, "query parameter '" + name + "' given twice");
      }
    }
    return params;
  }
}
