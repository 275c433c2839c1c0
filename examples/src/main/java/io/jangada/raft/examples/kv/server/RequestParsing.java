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

  static ReadConsistency parseConsistency(String text) {
    if (text.isEmpty()) {
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
      throw new HttpError(405, "method " + method + " not allowed here")
          .header("Allow", String.join(", ", new java.util.TreeSet<>(allowed)));
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
    String key;
    try {
      key = URLDecoder.decode(rawKey.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "malformed key: " + e.getMessage());
    }
    if (key.isEmpty()) {
      throw new HttpError(400, "the key must not be empty: use /v1/kv/{key}");
    }
    Bytes bytes = Bytes.ofUtf8(key);
    if (bytes.size() > KvCodec.MAX_KEY_BYTES) {
      throw new HttpError(414, "key longer than " + KvCodec.MAX_KEY_BYTES + " bytes");
    }
    return bytes;
  }

  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
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
