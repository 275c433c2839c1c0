package io.jangada.raft.examples.kv;

import io.jangada.raft.model.Bytes;
import java.util.Objects;

/**
 * Identifies one attempt of a client request, so that the state machine applies it at most once
 * however often it is retried (Raft thesis §6.3). A client numbers its requests 1, 2, 3, …; the
 * state machine remembers, per client, the highest request id applied and its result.
 *
 * @param clientId opaque client identity, 1 to {@link #MAX_CLIENT_ID_BYTES} bytes
 * @param requestId the client's request number, at least 1, increasing per client
 */
public record ClientSession(Bytes clientId, long requestId) {

  /** Upper bound on the client id length. */
  public static final int MAX_CLIENT_ID_BYTES = 256;

  public ClientSession {
    Objects.requireNonNull(clientId, "clientId");
    if (clientId.isEmpty() || clientId.size() > MAX_CLIENT_ID_BYTES) {
      throw new IllegalArgumentException(
          "client id must have 1 to " + MAX_CLIENT_ID_BYTES + " bytes, got " + clientId.size());
    }
    if (requestId < 1) {
      throw new IllegalArgumentException("request id must be >= 1, got " + requestId);
    }
  }
}
