package io.jangada.raft.examples.kv.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.LeadershipTransferException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.StateMachineException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.examples.kv.ClientSession;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvCommand;
import io.jangada.raft.examples.kv.KvQuery;
import io.jangada.raft.examples.kv.KvRequest;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON API of one key-value node (JDK {@code HttpServer}, Jackson for JSON):
 *
 * <pre>
 * PUT    /v1/kv/{key}   body = value  [?prevValue=v | ?prevExist=false]  → 200 {"index","term"} | 412
 * GET    /v1/kv/{key}   [?consistency=linearizable|lease|stale]           → 200 value bytes | 404
 * DELETE /v1/kv/{key}                                                     → 200 {"index","term"} | 404
 * GET    /v1/status                                                       → 200 JSON
 * </pre>
 *
 * A write with an {@code Idempotency-Key} header is applied at most once however often it is
 * retried, to any node. A request reaching a follower is relayed to the leader; with no leader
 * known the answer is 503 with {@code Retry-After}. Errors are JSON {@code {"error": "..."}}.
 *
 * <p>Thread-safe. Requests run on a fixed pool of worker threads that block on the node's futures
 * (at most {@link Options#requestTimeout()} each).
 */
public final class KvHttpServer implements AutoCloseable {

  /** Response header naming the node that served the request. */
  public static final String NODE_HEADER = "X-Jangada-Node";

  /** Request header making a write idempotent. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final Logger log = LoggerFactory.getLogger(KvHttpServer.class);
  private static final String KV_PREFIX = "/v1/kv/";
  private static final int MAX_IDEMPOTENCY_KEY_CHARS = 128;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Tuning of the HTTP layer.
   *
   * @param maxValueBytes the largest accepted value (413 above it)
   * @param requestTimeout how long a request waits for the node before answering 504
   * @param threads worker threads
   */
  public record Options(int maxValueBytes, Duration requestTimeout, int threads) {
    public Options {
      if (maxValueBytes < 0 || threads < 1) {
        throw new IllegalArgumentException("maxValueBytes must be >= 0 and threads >= 1");
      }
      Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /** 1 MiB values, 10 s timeout, 64 threads. */
    public static Options defaults() {
      return new Options(1 << 20, Duration.ofSeconds(10), 64);
    }
  }

  private final NodeId self;
  private final KvNode node;
  private final Map<NodeId, URI> httpByNode;
  private final Options options;
  private final LeaderForwarder forwarder;
  private final HttpServer server;
  private final ExecutorService workers;

  private KvHttpServer(
      NodeId self, KvNode node, Map<NodeId, URI> httpByNode, Options options, HttpServer server) {
    this.self = self;
    this.node = node;
    this.httpByNode = httpByNode; // read per request, so a concurrent map may be filled later
    this.options = options;
    this.forwarder = new LeaderForwarder(self, options.requestTimeout());
    this.server = server;
    AtomicInteger count = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            options.threads(),
            r -> {
              Thread t = new Thread(r, "kv-http-" + self + "-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(workers);
    server.createContext("/", this::handle);
  }

  /**
   * Binds {@code listen} and starts serving.
   *
   * @param httpByNode the HTTP base URL of every node (used to relay to the leader); read on every
   *     request, so it may be a concurrent map completed after start (tests on port 0 do that)
   * @throws java.net.BindException if the address is in use
   */
  public static KvHttpServer start(
      HostPort listen, NodeId self, KvNode node, Map<NodeId, URI> httpByNode, Options options)
      throws IOException {
    // The JDK server leaves Nagle's algorithm on by default; with the client's delayed ACKs that
    // adds ~40 ms to every response written in two parts (headers, body).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 128);
    KvHttpServer kv = new KvHttpServer(self, node, httpByNode, options, server);
    server.start();
    return kv;
  }

  /** The bound port (useful when listening on port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops accepting requests and ends the worker threads. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set(NODE_HEADER, self.value());
      try {
        route(exchange);
      } catch (HttpError e) {
        e.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        sendJson(exchange, e.status(), e.fields());
      } catch (io.jangada.raft.RaftException e) {
        HttpError error = translate(e);
        error.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        sendJson(exchange, error.status(), error.fields());
      } catch (RuntimeException e) {
        log.error("request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        sendJson(exchange, 500, Map.of("error", "internal error: " + e));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    if (path.equals("/v1/status")) {
      RequestParsing.requireMethod(method, Set.of("GET"));
      drain(exchange);
      sendJson(exchange, 200, statusJson(node.status()));
    } else if (path.startsWith(KV_PREFIX)) {
      RequestParsing.requireMethod(method, Set.of("GET", "PUT", "DELETE"));
      Bytes key = RequestParsing.decodeKey(path.substring(KV_PREFIX.length()));
      Map<String, String> params =
          RequestParsing.parseQuery(exchange.getRequestURI().getRawQuery());
      if (method.equals("PUT")) {
        byte[] body = readBody(exchange);
        new KvCall(exchange, body).put(key, Bytes.wrapUnsafe(body), params);
      } else if (method.equals("GET")) {
        new KvCall(exchange, drain(exchange)).get(key, params);
      } else {
        new KvCall(exchange, drain(exchange)).delete(key, params);
      }
    } else {
      throw new HttpError(404, "no such endpoint: " + path)
          .with("endpoints", List.of("/v1/kv/{key}", "/v1/status"));
    }
  }

  /** One key-value request: runs it on the node, relaying to the leader when needed. */
  private final class KvCall {
    private final HttpExchange exchange;
    private final byte[] body;

    KvCall(HttpExchange exchange, byte[] body) {
      this.exchange = exchange;
      this.body = body;
    }

    void put(Bytes key, Bytes value, Map<String, String> params) throws IOException {
      RequestParsing.allowParams(params, Set.of("prevValue", "prevExist"));
      Optional<String> prevValue = Optional.ofNullable(params.get("prevValue"));
      Optional<String> prevExist = Optional.ofNullable(params.get("prevExist"));
      KvCommand command;
      if (prevExist.isPresent()) {
        if (!prevExist.get().equals("false")) {
          throw new HttpError(400, "prevExist supports only 'false' (create only)");
        }
        if (prevValue.isPresent()) {
          throw new HttpError(400, "use either prevValue or prevExist=false, not both");
        }
        command = new KvCommand.Cas(key, Optional.empty(), value);
      } else if (prevValue.isPresent()) {
        command = new KvCommand.Cas(key, Optional.of(Bytes.ofUtf8(prevValue.get())), value);
      } else {
        command = new KvCommand.Put(key, value);
      }
      write(key, command);
    }

    void delete(Bytes key, Map<String, String> params) throws IOException {
      RequestParsing.allowParams(params, Set.of());
      write(key, new KvCommand.Delete(key));
    }

    private void write(Bytes key, KvCommand command) throws IOException {
      KvRequest request =
          idempotencyKey()
              .map(k -> KvRequest.of(command, new ClientSession(Bytes.ofUtf8("idem:" + k), 1)))
              .orElseGet(() -> KvRequest.of(command));
      Optional<Committed> committed = await(node.propose(KvCodec.encode(request)));
      if (committed.isEmpty()) {
        return; // relayed to the leader
      }
      long index = committed.get().index();
      long term = committed.get().term();
      KvResult result = KvCodec.decodeResult(committed.get().result());
      if (result instanceof KvResult.Ok) {
        sendJson(exchange, 200, ordered("index", index, "term", term));
      } else if (result instanceof KvResult.NotFound) {
        throw new HttpError(404, "key not found").with("key", key.toUtf8());
      } else if (result instanceof KvResult.ConditionFailed failed) {
        HttpError error = new HttpError(412, "precondition failed").with("key", key.toUtf8());
        failed.current().ifPresent(v -> error.with("current", v.toUtf8()));
        throw error.with("index", index).with("term", term);
      } else if (result instanceof KvResult.Error e) {
        throw new HttpError(409, e.message()).with("index", index);
      } else {
        throw new AssertionError(result);
      }
    }

    void get(Bytes key, Map<String, String> params) throws IOException {
      RequestParsing.allowParams(params, Set.of("consistency"));
      ReadConsistency consistency =
          RequestParsing.parseConsistency(params.getOrDefault("consistency", ""));
      Optional<Bytes> answer = await(node.query(KvCodec.encode(new KvQuery.Get(key)), consistency));
      if (answer.isEmpty()) {
        return; // relayed to the leader
      }
      KvResult result = KvCodec.decodeResult(answer.get());
      if (result instanceof KvResult.Value value) {
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        send(exchange, 200, value.value().toByteArray());
      } else if (result instanceof KvResult.NotFound) {
        throw new HttpError(404, "key not found").with("key", key.toUtf8());
      } else {
        throw new HttpError(500, "unexpected answer " + result);
      }
    }

    private Optional<String> idempotencyKey() {
      String value = exchange.getRequestHeaders().getFirst(IDEMPOTENCY_KEY);
      if (value == null) {
        return Optional.empty();
      }
      if (value.isBlank() || value.length() > MAX_IDEMPOTENCY_KEY_CHARS) {
        throw new HttpError(
            400, IDEMPOTENCY_KEY + " must have 1 to " + MAX_IDEMPOTENCY_KEY_CHARS + " characters");
      }
      return Optional.of(value);
    }

    /**
     * Waits for the node's answer. Returns empty when the request went to a follower and was
     * relayed (the relayed answer is already sent).
     */
    private <T> Optional<T> await(CompletableFuture<T> future) throws IOException {
      try {
        return Optional.of(future.get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException | CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof NotLeaderException notLeader) {
          relay(notLeader.leaderHint());
          return Optional.empty();
        }
        throw translate(cause);
      } catch (TimeoutException e) {
        future.cancel(false);
        throw outcomeUnknown("no answer from the cluster within " + options.requestTimeout());
      } catch (CancellationException e) {
        throw outcomeUnknown("the request was cancelled");
      } catch (InterruptedException e) {
        // Only close() interrupts a worker, and its socket usually closes with it; if an answer
        // still gets out, it must not be a 503: the node may already hold the command.
        Thread.currentThread().interrupt();
        throw outcomeUnknown("the server is shutting down");
      }
    }

    private void relay(Optional<NodeId> leader) throws IOException {
      if (leader.isEmpty() || leader.get().equals(self)) {
        throw noLeader();
      }
      URI base = httpByNode.get(leader.get());
      if (base == null || LeaderForwarder.isForwarded(exchange)) {
        throw noLeader().with("leader", leader.get().value());
      }
      LeaderForwarder.Relayed relayed = forwarder.forward(exchange, body, leader.get(), base);
      for (String[] header : relayed.headers()) {
        exchange.getResponseHeaders().set(header[0], header[1]);
      }
      send(exchange, relayed.status(), relayed.body());
    }
  }

  private HttpError noLeader() {
    return new HttpError(503, "no leader is known right now; retry shortly")
        .with("node", self.value())
        .header("Retry-After", "1");
  }

  static HttpError outcomeUnknown(String why) {
    return new HttpError(504, "outcome unknown: " + why)
        .with("outcome", "unknown")
        .with("hint", "retrying with the same Idempotency-Key is safe");
  }

  private static HttpError translate(Throwable cause) {
    if (cause instanceof IndeterminateResultException) {
      return outcomeUnknown(cause.getMessage());
    } else if (cause instanceof ProposalDroppedException
        || cause instanceof LeadershipTransferException
        || cause instanceof RequestTimeoutException) {
      return new HttpError(503, "not accepted, retry: " + cause.getMessage())
          .header("Retry-After", "1");
    } else if (cause instanceof NodeClosedException) {
      return new HttpError(503, "node unavailable: " + cause.getMessage())
          .header("Retry-After", "1");
    } else if (cause instanceof StorageFailedException || cause instanceof StateMachineException) {
      // The node failed for good and refused the request before its log: another node can take
      // it, even without an Idempotency-Key (KvClient does so on "nodeFailed").
      String what = cause instanceof StorageFailedException ? "a storage" : "a state machine";
      return new HttpError(500, "node stopped after " + what + " failure: " + cause.getMessage())
          .with("nodeFailed", true)
          .with("hint", "this node did not apply the request; send it to another node");
    } else if (cause instanceof UnsupportedOperationException) {
      return new HttpError(501, "not supported: " + cause.getMessage());
    }
    log.error("unexpected failure", cause);
    return new HttpError(500, "internal error: " + cause);
  }

  private Map<String, Object> statusJson(RaftStatus status) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", status.id().value());
    json.put("state", status.state().name());
    json.put("role", status.role().name());
    json.put("term", status.term());
    json.put("leader", status.leader().map(NodeId::value).orElse(null));
    json.put("leaderHttp", status.leader().map(httpByNode::get).map(URI::toString).orElse(null));
    json.put("commitIndex", status.commitIndex());
    json.put("appliedIndex", status.appliedIndex());
    json.put("firstIndex", status.firstIndex());
    json.put("lastIndex", status.lastIndex());
    json.put("snapshotIndex", status.snapshotIndex());
    List<Map<String, Object>> members = new ArrayList<>();
    for (NodeId id : status.membership().members()) {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("id", id.value());
      member.put("voter", status.membership().isVoter(id));
      member.put("http", Optional.ofNullable(httpByNode.get(id)).map(URI::toString).orElse(null));
      RaftStatus.PeerStatus peer = status.peers().get(id);
      if (peer != null) {
        member.put("matchIndex", peer.matchIndex());
        member.put("replication", peer.state());
        member.put("recentlyActive", peer.recentlyActive());
      }
      members.add(member);
    }
    json.put("members", members);
    status.failure().ifPresent(failure -> json.put("failure", failure));
    json.put("problems", status.problems());
    return json;
  }

  private byte[] readBody(HttpExchange exchange) throws IOException {
    int max = options.maxValueBytes();
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > max) {
          throw tooLarge(max);
        }
      } catch (NumberFormatException e) {
        throw new HttpError(400, "bad Content-Length");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(max + 1);
      if (body.length > max) {
        throw tooLarge(max);
      }
      return body;
    }
  }

  private static HttpError tooLarge(int max) {
    return new HttpError(413, "value larger than the limit of " + max + " bytes")
        .with("maxValueBytes", max);
  }

  private static byte[] drain(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return new byte[0];
  }

  private static Map<String, Object> ordered(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private static void sendJson(HttpExchange exchange, int status, Map<String, Object> body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    byte[] bytes = JSON.writeValueAsBytes(body);
    send(exchange, status, bytes);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}
