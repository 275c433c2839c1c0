package io.jangada.raft.examples.kv.server;

import io.jangada.raft.Committed;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvCommand;
import io.jangada.raft.examples.kv.KvQuery;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request that needs the node (key-value and admin calls): runs it, waiting at most the request
 * timeout. Writes are library session requests, which a follower forwards to the leader inside the
 * library; reads and admin calls that need the leader are relayed to its HTTP API. Runs on a worker
 * thread; answers through {@link Exchange#respond} or by throwing {@link HttpError}.
 *
 * <p>Writes: with an {@code Idempotency-Key} k, the write is request 1 of the library session named
 * {@code "idem:" + k} ({@code RaftNode.openSession(String)} opens it or resumes it). The name →
 * session mapping is replicated with the session table, so a retry with the same key sent to any
 * node, also after a failover or a restart from a snapshot, resumes the same session and gets the
 * first attempt's result without applying the command again. The key is remembered while its
 * session lives: until it has been unused for the node's session timeout or the session limits
 * evict it (least recently used first); a retry after that applies the write again. Without a key,
 * the write is a request of this server's own session ({@link WriteSession}).
 */
final class KvCall {

  private static final int MAX_IDEMPOTENCY_KEY_CHARS = 128;
  private static final Set<String> PUT_PARAMS = Set.of("prevValue", "prevExist");

  /** Prefix of the library session name an {@code Idempotency-Key} maps to. */
  static final String IDEMPOTENCY_SESSION_PREFIX = "idem:";

  private final KvHttpServer server;
  private final Exchange exchange;
  private final KvNode node;
  private final Duration timeout;
  // When the current write must be answered: its steps (open a session, propose) share it.
  private long writeDeadline;

  KvCall(KvHttpServer server, Exchange exchange, KvNode node, Duration timeout) {
    this.server = server;
    this.exchange = exchange;
    this.node = node;
    this.timeout = timeout;
  }

  /**
   * PUT without blocking: the returned future completes once the answer is set on the exchange, or
   * fails with the {@link HttpError} to answer with ({@link #writeFailure}). Bad input throws at
   * once.
   */
  CompletableFuture<Void> put(Bytes key, Bytes value, Map<String, Bytes> params) {
    RequestParsing.allowParams(params, PUT_PARAMS);
    // prevValue is compared byte for byte with the stored value, which need not be text.
    Optional<Bytes> prevValue = Optional.ofNullable(params.get("prevValue"));
    Optional<Bytes> prevExist = Optional.ofNullable(params.get("prevExist"));
    KvCommand command;
    if (prevExist.isPresent()) {
      if (!prevExist.get().equals(Bytes.ofUtf8("false"))) {
        throw new HttpError(400, "prevExist supports only 'false' (create only)");
      }
      if (prevValue.isPresent()) {
        throw new HttpError(400, "use either prevValue or prevExist=false, not both");
      }
      command = new KvCommand.Cas(key, Optional.empty(), value);
    } else if (prevValue.isPresent()) {
      command = new KvCommand.Cas(key, prevValue, value);
    } else {
      command = new KvCommand.Put(key, value);
    }
    return write(key, command);
  }

  /** DELETE without blocking, like {@link #put}. */
  CompletableFuture<Void> delete(Bytes key, Map<String, String> params) {
    RequestParsing.allowParams(params, Set.of());
    return write(key, new KvCommand.Delete(key));
  }

  private CompletableFuture<Void> write(Bytes key, KvCommand command) {
    Optional<String> idempotencyKey = idempotencyKey();
    Bytes encoded = KvCodec.encode(command);
    writeDeadline = System.nanoTime() + timeout.toNanos(); // for all the write's steps together
    CompletableFuture<Committed> committed =
        idempotencyKey.isPresent()
            ? proposeOnce(encoded, idempotencyKey.get())
            : proposeInServerSession(encoded, 1);
    // One stage from the commit to the answer (a chain of thenAccept and exceptionallyCompose cost
    // a future and a completion object each, on every write).
    CompletableFuture<Void> answered = new CompletableFuture<>();
    committed.whenComplete(
        (c, failure) -> {
          Throwable refusal = failure;
          if (refusal == null) {
            try {
              answer(key, c);
              answered.complete(null);
              return;
            } catch (Throwable t) {
              refusal = t;
            }
          }
          answered.completeExceptionally(
              withRetryHint(writeFailure(refusal), idempotencyKey.isPresent()));
        });
    return answered;
  }

  /**
   * A 504's hint: resending is safe only under the same Idempotency-Key; a write without one may be
   * applied twice if resent.
   */
  private static HttpError withRetryHint(HttpError error, boolean keyed) {
    if (error.status() == 504 && !keyed) {
      error.with(
          "hint",
          "the write had no Idempotency-Key: resending it may apply it twice; read the key"
              + " first, or send writes with an Idempotency-Key");
    }
    return error;
  }

  private void answer(Bytes key, Committed committed) {
    long index = committed.index();
    long term = committed.term();
    KvResult result = KvCodec.decodeResult(committed.result());
    if (result instanceof KvResult.Ok) {
      // The answer to nearly every write: two numbers, written without a JSON library.
      exchange.setHeader("Content-Type", "application/json");
      exchange.respond(
          200,
          ("{\"index\":" + index + ",\"term\":" + term + "}").getBytes(StandardCharsets.US_ASCII));
    } else if (result instanceof KvResult.NotFound) {
      throw new HttpError(404, "key not found").withBytes("key", key);
    } else if (result instanceof KvResult.ConditionFailed failed) {
      HttpError error = new HttpError(412, "precondition failed").withBytes("key", key);
      failed.current().ifPresent(v -> error.withBytes("current", v));
      throw error.with("index", index).with("term", term);
    } else if (result instanceof KvResult.Error e) {
      throw new HttpError(409, e.message()).with("index", index);
    } else {
      throw new AssertionError(result);
    }
  }

  /** Request 1 of the session named after the idempotency key: applied once per key. */
  private CompletableFuture<Committed> proposeOnce(Bytes command, String idempotencyKey) {
    return step(node.openSession(sessionName(idempotencyKey)))
        .thenCompose(
            clientId ->
                step(node.propose(command, new SessionInfo(clientId, 1, 1)))
                    .exceptionallyCompose(
                        failure -> {
                          // The key's session vanished between opening and proposing (evicted by
                          // many new keys): the command was not applied by this attempt; an
                          // earlier attempt's outcome is unknown.
                          Throwable cause = unwrap(failure);
                          return CompletableFuture.failedFuture(
                              cause instanceof SessionExpiredException e
                                  ? sessionExpired(e)
                                  : cause);
                        }));
  }

  /**
   * The session name of an idempotency key: {@code "idem:" + key}, or for a key whose UTF-8 form
   * would not fit a session name (256 bytes; 128 characters may take 512), {@code "idem#"} and the
   * key's SHA-256 in hex.
   */
  static String sessionName(String idempotencyKey) {
    String name = IDEMPOTENCY_SESSION_PREFIX + idempotencyKey;
    if (name.getBytes(StandardCharsets.UTF_8).length <= 256) {
      return name;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return "idem#" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** A request of this server's own session; sent again in a new session if it expired. */
  private CompletableFuture<Committed> proposeInServerSession(Bytes command, int attempt) {
    WriteSession session = server.writeSession();
    CompletableFuture<Long> clientId = session.clientId();
    if (clientId.isDone() && !clientId.isCompletedExceptionally()) {
      // The usual case, the session is open: no stage to wait for it.
      try {
        return proposeInSession(session, clientId.join(), command, attempt);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return step(clientId).thenCompose(id -> proposeInSession(session, id, command, attempt));
  }

  private CompletableFuture<Committed> proposeInSession(
      WriteSession session, long clientId, Bytes command, int attempt) {
    long sequence = session.begin();
    CompletableFuture<Committed> proposed;
    try {
      proposed =
          step(
              node.propose(
                  command,
                  new SessionInfo(clientId, sequence, session.lowestUnacknowledged(sequence))));
    } catch (RuntimeException e) {
      session.end(sequence);
      throw e;
    }
    CompletableFuture<Committed> result = new CompletableFuture<>();
    proposed.whenComplete(
        (committed, failure) -> {
          try {
            session.end(sequence);
            if (failure == null) {
              result.complete(committed);
              return;
            }
            Throwable cause = unwrap(failure);
            if (!(cause instanceof SessionExpiredException expired)) {
              result.completeExceptionally(cause);
              return;
            }
            session.expired(clientId);
            if (attempt >= 2) {
              result.completeExceptionally(sessionExpired(expired));
              return;
            }
            proposeInServerSession(command, attempt + 1)
                .whenComplete(
                    (again, error) -> {
                      if (error == null) {
                        result.complete(again);
                      } else {
                        result.completeExceptionally(error);
                      }
                    });
          } catch (RuntimeException e) {
            result.completeExceptionally(e); // never leave the write unanswered
          }
        });
    return result;
  }

  private static HttpError sessionExpired(SessionExpiredException e) {
    return new HttpError(409, e.getMessage())
        .with("outcome", "unknown")
        .with("hint", "read the key to learn whether an earlier attempt took effect");
  }

  /**
   * One step of a write, failing with {@link TimeoutException} at the write's deadline (the future
   * is the caller's copy: completing it does not affect the node).
   */
  private <T> CompletableFuture<T> step(CompletableFuture<T> future) {
    return server.failAt(future, writeDeadline);
  }

  /**
   * The answer to a write that failed with {@code failure}. The library forwards session requests
   * from a follower, so a refusal naming no usable leader is a 503 (no HTTP relay for writes).
   */
  HttpError writeFailure(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof HttpError error) {
      return error;
    }
    if (cause instanceof NotLeaderException notLeader) {
      HttpError error = server.noLeader();
      notLeader.leaderHint().ifPresent(l -> error.with("leader", l.value()));
      return error;
    }
    if (cause instanceof TimeoutException) {
      return KvHttpServer.outcomeUnknown("no answer from the cluster within " + timeout);
    }
    if (cause instanceof CancellationException) {
      return KvHttpServer.outcomeUnknown("the request was cancelled");
    }
    return KvHttpServer.translate(cause);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  void get(Bytes key, Map<String, String> params) {
    RequestParsing.allowParams(params, Set.of("consistency"));
    ReadConsistency consistency = RequestParsing.parseConsistency(params.get("consistency"));
    Optional<Bytes> answer =
        await(node.query(KvCodec.encode(new KvQuery.Get(key)), consistency), true);
    if (answer.isEmpty()) {
      return; // relayed to the leader
    }
    KvResult result = KvCodec.decodeResult(answer.get());
    if (result instanceof KvResult.Value value) {
      exchange.setHeader("Content-Type", "application/octet-stream");
      exchange.respond(200, value.value().toByteArray());
    } else if (result instanceof KvResult.NotFound) {
      throw new HttpError(404, "key not found").withBytes("key", key);
    } else {
      throw new HttpError(500, "unexpected answer " + result);
    }
  }

  /** POST /v1/admin/transfer-leader?to=nX: on the leader (relayed there from a follower). */
  void transferLeader(Map<String, String> params) {
    RequestParsing.allowParams(params, Set.of("to"));
    String to = params.getOrDefault("to", "");
    if (to.isBlank()) {
      throw new HttpError(400, "give the new leader: /v1/admin/transfer-leader?to=<node id>");
    }
    NodeId target;
    try {
      target = NodeId.of(to);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "bad node id '" + to + "': " + e.getMessage());
    }
    if (node.status().membership().members().isEmpty()) { // joining, not reached by the leader
      throw new HttpError(
              503, "this node does not know the cluster's configuration yet (it is joining)")
          .header("Retry-After", "1");
    }
    if (!node.status().membership().isVoter(target)) {
      throw new HttpError(400, to + " is not a voter of this cluster")
          .with("voters", node.status().membership().voters().stream().map(NodeId::value).toList());
    }
    if (await(node.transferLeadership(target), false).isEmpty()) {
      return; // relayed to the leader
    }
    server.json(exchange, 200, KvHttpServer.ordered("leader", to, "term", node.status().term()));
  }

  /** POST /v1/admin/snapshot: a snapshot of this node's state now. */
  void snapshot(Map<String, String> params) {
    RequestParsing.allowParams(params, Set.of());
    SnapshotMeta meta;
    try {
      meta = node.snapshot().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof IllegalStateException) {
        throw new HttpError(409, "no snapshot: " + cause.getMessage());
      }
      throw KvHttpServer.translate(cause);
    } catch (TimeoutException e) {
      throw new HttpError(504, "the snapshot did not finish within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "the server is shutting down").header("Retry-After", "1");
    }
    server.json(
        exchange,
        200,
        KvHttpServer.ordered("index", meta.index(), "term", meta.term(), "node", server.self()));
  }

  private Optional<String> idempotencyKey() {
    Optional<String> value = exchange.header(KvHttpServer.IDEMPOTENCY_KEY);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (value.get().isBlank() || value.get().length() > MAX_IDEMPOTENCY_KEY_CHARS) {
      throw new HttpError(
          400,
          KvHttpServer.IDEMPOTENCY_KEY
              + " must have 1 to "
              + MAX_IDEMPOTENCY_KEY_CHARS
              + " characters");
    }
    return value;
  }

  /**
   * Waits for the node's answer. Returns empty when the request went to a follower and was relayed
   * (the relayed answer is already set). A successful {@code Void} answer is returned as present.
   */
  private <T> Optional<Object> awaitAny(CompletableFuture<T> future, boolean read) {
    try {
      T value = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Optional.of(value == null ? Boolean.TRUE : value);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof NotLeaderException notLeader) {
        server.relayToLeader(exchange, notLeader.leaderHint());
        return Optional.empty();
      }
      throw KvHttpServer.translate(cause);
    } catch (TimeoutException e) {
      future.cancel(false);
      if (read) {
        // A read changed nothing: no outcome to be unsure of, and no key to retry it with.
        throw new HttpError(504, "the read did not complete within " + timeout)
            .with("hint", "a read changes nothing: retry it, here or on another node")
            .header("Retry-After", "1");
      }
      throw KvHttpServer.outcomeUnknown("no answer from the cluster within " + timeout);
    } catch (CancellationException e) {
      throw KvHttpServer.outcomeUnknown("the request was cancelled");
    } catch (InterruptedException e) {
      // Only close() interrupts a worker, and its socket usually closes with it; if an answer
      // still gets out, it must not be a 503: the node may already hold the command.
      Thread.currentThread().interrupt();
      throw KvHttpServer.outcomeUnknown("the server is shutting down");
    }
  }

  /**
   * {@link #awaitAny}; {@code read} if the call changes nothing (its timeout is then no unknown
   * outcome).
   */
  @SuppressWarnings("unchecked")
  private <T> Optional<T> await(CompletableFuture<T> future, boolean read) {
    return (Optional<T>) awaitAny(future, read);
  }
}
