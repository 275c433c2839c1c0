package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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

  /**
   * Adds {@code bytes} (a key or a value) to the JSON body: as text under {@code name} when they
   * are valid UTF-8, else base64 under {@code name + "Base64"} (text would replace the invalid
   * bytes and misquote them).
   */
  HttpError withBytes(String name, Bytes bytes) {
    byte[] raw = bytes.toByteArray();
    try {
      return with(
          name,
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw))
              .toString());
    } catch (CharacterCodingException e) {
      return with(name + "Base64", Base64.getEncoder().encodeToString(raw));
    }
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
