package io.jangada.raft.examples.kv.server;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP error answer, thrown inside a handler and turned into a JSON body by the server. */
final class HttpError extends RuntimeException {

  private final int status;
  private final Map<String, Object> fields = new LinkedHashMap<>();
  private final Map<String, String> headers = new LinkedHashMap<>();

  HttpError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
    fields.put("error", message);
  }

  /** Adds a field to the JSON body. */
  HttpError with(String name, Object value) {
    fields.put(name, value);
    return this;
  }

  /** Adds a response header. */
  HttpError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  int status() {
    return status;
  }

  Map<String, Object> fields() {
    return fields;
  }

  Map<String, String> headers() {
    return headers;
  }
}
