package io.jangada.raft.examples.kv.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One HTTP request as the handlers see it (whole body already read), and the answer they build.
 * Independent of the HTTP server library, so the handlers and {@link LeaderForwarder} stay small.
 */
final class Exchange {

  private final String method;
  private final String rawPath;
  private final String rawQuery;
  private final Function<String, String> headers;
  private final byte[] body;

  // The answer.
  private int status = 200;
  private Map<String, String> responseHeaders = Map.of(); // a LinkedHashMap once one is set
  private byte[] responseBody = new byte[0];

  /**
   * @param rawPath the path as sent, still percent-encoded
   * @param rawQuery the query as sent, or null
   * @param headers request header lookup by name (first value, null if absent)
   */
  Exchange(
      String method,
      String rawPath,
      String rawQuery,
      Function<String, String> headers,
      byte[] body) {
    this.method = Objects.requireNonNull(method, "method");
    this.rawPath = Objects.requireNonNull(rawPath, "rawPath");
    this.rawQuery = rawQuery;
    this.headers = Objects.requireNonNull(headers, "headers");
    this.body = Objects.requireNonNull(body, "body");
  }

  String method() {
    return method;
  }

  String rawPath() {
    return rawPath;
  }

  /** The raw query, or null. */
  String rawQuery() {
    return rawQuery;
  }

  /** The first value of a request header. */
  Optional<String> header(String name) {
    return Optional.ofNullable(headers.apply(name));
  }

  byte[] body() {
    return body;
  }

  /** Sets a response header (replacing an earlier value). */
  void setHeader(String name, String value) {
    if (!(responseHeaders instanceof LinkedHashMap)) {
      responseHeaders = new LinkedHashMap<>(4);
    }
    responseHeaders.put(name, value);
  }

  /** Sets the answer's status and body. */
  void respond(int status, byte[] body) {
    this.status = status;
    this.responseBody = body;
  }

  int status() {
    return status;
  }

  /** The response headers set so far, in the order they were first set (not to be changed). */
  Map<String, String> responseHeaders() {
    return responseHeaders;
  }

  byte[] responseBody() {
    return responseBody;
  }
}
