package io.jangada.raft.examples.kv;

import java.util.Objects;
import java.util.Optional;

/**
 * One log entry of the key-value store: a command, optionally tagged with the client session that
 * makes its retries idempotent. Immutable.
 */
public record KvRequest(KvCommand command, Optional<ClientSession> session) {

  public KvRequest {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(session, "session");
  }

  /** A command without a session (retrying it may apply it twice). */
  public static KvRequest of(KvCommand command) {
    return new KvRequest(command, Optional.empty());
  }

  /** A command applied at most once per {@code session}. */
  public static KvRequest of(KvCommand command, ClientSession session) {
    return new KvRequest(command, Optional.of(session));
  }
}
