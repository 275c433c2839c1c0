package io.jangada.raft.examples.kv.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.LeadershipTransferException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftException;
import io.jangada.raft.RaftHealth;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.StateMachineException;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON API of one key-value node, on Jetty 12 (Jackson for JSON):
 *
 * <pre>
 * PUT    /v1/kv/{key}   body = value  [?prevValue=v | ?prevExist=false]  → 200 {"index","term"} | 412
 * GET    /v1/kv/{key}   [?consistency=linearizable|lease|stale]           → 200 value bytes | 404
 * DELETE /v1/kv/{key}                                                     → 200 {"index","term"} | 404
 * GET    /v1/status                                                       → 200 JSON
 * POST   /v1/admin/transfer-leader?to=nX                                  → 200 {"leader","term"}
 * POST   /v1/admin/snapshot                                               → 200 {"index","term","node"}
 * GET    /v1/members, POST /v1/members, POST /v1/members/{id}/promote, DELETE /v1/members/{id}
 *                                                                         → see {@link MembersApi}
 * GET    /health/live, /health/ready                                      → 200 | 503 JSON
 * GET    /metrics                                                         → Prometheus text
 * </pre>
 *
 * <p>Every GET also answers HEAD: the same status and headers (Content-Length included), no body.
 *
 * <p>A write with an {@code Idempotency-Key} header is applied at most once however often it is
 * retried, to any node: the key names a library client session (see {@link KvCall}). Writes are
 * library session requests, which a follower forwards to the leader itself; reads and admin calls
 * that need the leader are relayed to the leader's HTTP API. With no leader known the answer is 503
 * with {@code Retry-After}. Errors are JSON {@code {"error": "..."}}.
 *
 * <p>Threads: Jetty reads request bodies asynchronously (a client that never finishes its body
 * holds no thread, and is cut off by the idle timeout). Writes (PUT, DELETE on {@code /v1/kv/})
 * hold no thread while the cluster commits them: they are proposed on Jetty's thread, and the
 * thread that completes them (the node's callback executor, which the server command sets to the
 * node's own apply thread, or the timer of the request timeout) hands the answer to one answering
 * thread ({@link WriteAnswers}), which writes the answers in the order the outcomes arrive; Jetty
 * resumes reading the connection on that same thread ({@link JettyThreads}). A fixed pool of worker
 * threads runs the other requests that wait for the node (reads, admin and membership calls; at
 * most {@link Options#requestTimeout()} each). Status, health and metrics are answered on Jetty's
 * own threads, so they answer even when every worker waits. Connections are limited; a malformed
 * request line gets a 400 from Jetty.
 */
public final class KvHttpServer implements AutoCloseable {

  /** Response header naming the node that served the request. */
  public static final String NODE_HEADER = "X-Jangada-Node";

  /** Request header making a write idempotent. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final Logger log = LoggerFactory.getLogger(KvHttpServer.class);
  private static final String KV_PREFIX = "/v1/kv/";

  /**
   * How much of a refused body the server reads and discards before answering, so the refusal
   * reaches the client (see {@link BodyDrain}); above it the connection is closed instead.
   */
  private static final long DRAIN_LIMIT = 8L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * {@code Content-Type: application/json}, the type of nearly every answer, as a field Jetty
   * writes as pre-encoded bytes (no header-name lookup or per-character encoding per answer).
   */
  private static final HttpField JSON_CONTENT_TYPE =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

  private static final List<String> ENDPOINTS =
      List.of(
          "/v1/kv/{key}",
          "/v1/status",
          "/v1/admin/transfer-leader",
          "/v1/admin/snapshot",
          "/v1/members",
          "/health/live",
          "/health/ready",
          "/metrics");

  /** How long a connection may stay silent (also while sending a body) before it is closed. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The request line and headers together: room for the longest key percent-encoded (3 × 4096
   * characters) with a query (a prevValue) and the usual headers. Above it Jetty answers 414 (a
   * request line too long) or 431 (headers too large).
   */
  static final int REQUEST_HEADER_BYTES = 32 * 1024;

  /** Open connections beyond this wait in the accept queue. */
  static final int MAX_CONNECTIONS = 1024;

  /**
   * Tuning of the HTTP layer.
   *
   * @param maxValueBytes the largest accepted value (413 above it)
   * @param requestTimeout how long a request waits for the node before answering 504
   * @param threads worker threads
   * @param drainTimeout how long {@link #drain()} waits for the requests in flight to be answered
   */
  public record Options(
      int maxValueBytes, Duration requestTimeout, int threads, Duration drainTimeout) {

    /** The default drain timeout: a write or a read waiting for its quorum needs far less. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    public Options {
      if (maxValueBytes < 0 || threads < 1) {
        throw new IllegalArgumentException("maxValueBytes must be >= 0 and threads >= 1");
      }
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (drainTimeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must be >= 0");
      }
    }

    /** The given limits, with {@link #DEFAULT_DRAIN_TIMEOUT}. */
    public Options(int maxValueBytes, Duration requestTimeout, int threads) {
      this(maxValueBytes, requestTimeout, threads, DEFAULT_DRAIN_TIMEOUT);
    }

    /** 1 MiB values, 10 s timeout, 64 threads, 5 s drain. */
    public static Options defaults() {
      return new Options(1 << 20, Duration.ofSeconds(10), 64);
    }
  }

  private final NodeId self;
  // X-Jangada-Node: <self>, encoded once: every answer carries it.
  private final HttpField nodeField;
  private final KvNode node;
  private final Map<NodeId, URI> httpByNode;
  private final Options options;
  private final Supplier<String> metrics;
  private final LeaderForwarder forwarder;
  private final WriteSession writeSession;
  private final Server server;
  private final ServerConnector connector;
  // Counts the requests in flight; once shut down (drain), answers new ones 503 via JsonErrors.
  private final GracefulHandler graceful;
  private final ExecutorService workers;
  private final WriteAnswers answers;
  private final ScheduledThreadPoolExecutor timeouts;

  private KvHttpServer(
      HostPort listen,
      NodeId self,
      KvNode node,
      Map<NodeId, URI> httpByNode,
      Options options,
      Supplier<String> metrics) {
    this.self = self;
    this.nodeField = new PreEncodedHttpField(NODE_HEADER, self.value());
    this.node = node;
    this.httpByNode = httpByNode; // read per request, so a concurrent map may be filled later
    this.options = options;
    this.metrics = metrics;
    this.forwarder = new LeaderForwarder(self, options.requestTimeout());
    this.writeSession = new WriteSession(node::openSession);
    AtomicInteger count = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            options.threads(),
            r -> {
              Thread t = new Thread(r, "kv-http-" + self + "-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.answers = new WriteAnswers("kv-answer-" + self);
    // Every write arms a timeout that is nearly always cancelled: removed from the queue on
    // cancel, it wakes the timer thread only when it fires (CompletableFuture.orTimeout's shared
    // timer keeps cancelled timeouts queued and wakes up for each of them).
    this.timeouts =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "kv-http-timeouts-" + self);
              t.setDaemon(true);
              return t;
            });
    timeouts.setRemoveOnCancelPolicy(true);
    QueuedThreadPool jettyThreads = new JettyThreads(64, 4);
    jettyThreads.setName("kv-jetty-" + self);
    jettyThreads.setDaemon(true);
    this.server = new Server(jettyThreads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    // Keys are decoded (strictly) by RequestParsing from the raw path, so Jetty must pass any
    // percent-encoding through instead of rejecting it with its own error page.
    http.setUriCompliance(UriCompliance.UNSAFE);
    // Jetty's default (8 KiB) refused a legal key written percent-encoded (up to three characters
    // per byte of KvCodec.MAX_KEY_BYTES) with its own 414 before the key's limit was checked.
    http.setRequestHeaderSize(REQUEST_HEADER_BYTES);
    http.setIdleTimeout(IDLE_TIMEOUT.toMillis());
    this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(listen.host());
    connector.setPort(listen.port());
    connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
    // Jetty shortens every connection's idle timeout to this when the drain begins (1 s by
    // default): a write waiting longer for its commit would lose its connection, the very reset
    // the drain is there to avoid. Idle connections are closed when the server stops.
    connector.setShutdownIdleTimeout(IDLE_TIMEOUT.toMillis());
    connector.setAcceptQueueSize(128);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
    this.graceful = new GracefulHandler(new Entry());
    server.setHandler(graceful);
    server.setErrorHandler(new JsonErrors());
  }

  /**
   * Binds {@code listen} and starts serving, without a metrics endpoint.
   *
   * @see #start(HostPort, NodeId, KvNode, Map, Options, Supplier)
   */
  public static KvHttpServer start(
      HostPort listen, NodeId self, KvNode node, Map<NodeId, URI> httpByNode, Options options)
      throws IOException {
    return start(listen, self, node, httpByNode, options, null);
  }

  /**
   * Binds {@code listen} and starts serving.
   *
   * @param httpByNode the HTTP base URL of every node (used to relay to the leader); read on every
   *     request, so it may be a concurrent map completed after start (tests on port 0 do that)
   * @param metrics the Prometheus text for {@code GET /metrics}, or null for no such endpoint
   * @throws java.net.BindException if the address is in use
   */
  public static KvHttpServer start(
      HostPort listen,
      NodeId self,
      KvNode node,
      Map<NodeId, URI> httpByNode,
      Options options,
      Supplier<String> metrics)
      throws IOException {
    KvHttpServer kv = new KvHttpServer(listen, self, node, httpByNode, options, metrics);
    try {
      kv.server.start();
    } catch (Exception e) {
      kv.close();
      // Jetty reports a port in use as an IOException ("Failed to bind") around the BindException.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException bind) {
          throw bind;
        }
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("HTTP server did not start: " + e, e);
    }
    return kv;
  }

  /** The bound port (useful when listening on port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * Stops taking requests, and waits until the requests in flight are answered, at most {@link
   * Options#drainTimeout()}. From the first moment, a new connection is refused and a new request
   * on an open connection is answered 503 with {@code Retry-After} and {@code Connection: close}
   * (send it to another node); every answer closes its connection. A request in flight (a write
   * waiting for its commit, a read for its ReadIndex) goes on as usual: the node must keep running
   * meanwhile, so a server command drains, then closes the node, then {@link #close}s this server.
   * Idempotent; blocks the calling thread.
   *
   * @return whether every request in flight was answered within the drain timeout
   */
  public boolean drain() {
    CompletableFuture<Void> drained = graceful.shutdown(); // from now on new requests get a 503
    connector.shutdown(); // no more keep-alive: each answer from now on closes its connection
    connector.close(); // new connections are refused (rather than left waiting in the backlog)
    try {
      drained.get(options.drainTimeout().toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      log.warn(
          "{} HTTP requests still in flight after the drain timeout of {} ms",
          graceful.getCurrentRequestCount(),
          options.drainTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      log.warn("draining the HTTP server failed", e);
    }
    return false;
  }

  /**
   * Stops the server at once: open connections are closed, requests in flight get no answer (call
   * {@link #drain()} first for those), and the worker threads end. Idempotent.
   */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("stopping the HTTP server failed", e);
    }
    workers.shutdownNow();
    answers.close();
    timeouts.shutdownNow();
  }

  // ---- used by KvCall ----

  String self() {
    return self.value();
  }

  URI httpOf(NodeId id) {
    Membership membership;
    try {
      membership = node.status().membership();
    } catch (RuntimeException e) {
      membership = Membership.empty(); // still starting
    }
    return httpOf(id, membership);
  }

  /**
   * The HTTP base URL of {@code id}: the one its address in {@code membership} carries ({@link
   * MemberAddress}), else the one given at start (--peers), else null.
   */
  URI httpOf(NodeId id, Membership membership) {
    return MemberAddress.of(membership, id)
        .flatMap(MemberAddress::http)
        .map(http -> URI.create("http://" + http))
        .orElseGet(() -> httpByNode.get(id));
  }

  /**
   * Fails {@code future} with {@link TimeoutException} if it is not complete at {@code
   * deadlineNanos} ({@link System#nanoTime()}); returns it.
   */
  <T> CompletableFuture<T> failAt(CompletableFuture<T> future, long deadlineNanos) {
    if (future.isDone()) {
      return future;
    }
    ScheduledFuture<?> timer;
    try {
      timer =
          timeouts.schedule(
              () -> future.completeExceptionally(new TimeoutException()),
              Math.max(0, deadlineNanos - System.nanoTime()),
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return future; // stopping: the node's own close fails it
    }
    future.whenComplete((value, failure) -> timer.cancel(false));
    return future;
  }

  LeaderForwarder forwarder() {
    return forwarder;
  }

  WriteSession writeSession() {
    return writeSession;
  }

  /** Jetty's entry point: reads the body without blocking, then dispatches. */
  private final class Entry extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      response.getHeaders().add(nodeField); // the first header of a new response
      long length = request.getLength();
      int max = options.maxValueBytes();
      boolean kvPut =
          request.getMethod().equals("PUT") && request.getHttpURI().getPath().startsWith(KV_PREFIX);
      if (kvPut && length > max) {
        if (request.getHeaders().contains(HttpHeader.EXPECT, "100-continue")) {
          // The client waits for "100 Continue" before sending the body: refuse at once, so it
          // never uploads it (reading the body, as a drain does, would make Jetty send the 100).
          write(response, callback, answerError(tooLarge(max)));
        } else {
          BodyDrain.thenRun(
              request, DRAIN_LIMIT, () -> write(response, callback, answerError(tooLarge(max))));
        }
        return true;
      }
      int limit = kvPut ? max + 1 : 64 * 1024;
      ArrivedBody arrived = ArrivedBody.read(request, limit);
      if (arrived.body() != null) { // the usual case: the body came with the headers
        if (kvPut && arrived.body().length > max) {
          write(response, callback, answerError(tooLarge(max)));
        } else {
          dispatch(request, response, callback, arrived.body());
        }
        return true;
      }
      Content.Source source = arrived.rest(); // the body so far, then the rest as it arrives
      Content.Source.asByteArrayAsync(
          source,
          limit,
          Promise.Invocable.from(
              Invocable.InvocationType.NON_BLOCKING,
              (byte[] body, Throwable error) -> {
                if (error != null) {
                  HttpError e =
                      kvPut && error instanceof IllegalArgumentException
                          ? tooLarge(max)
                          : bodyNotRead(error);
                  BodyDrain.thenRun(
                      source, DRAIN_LIMIT, () -> write(response, callback, answerError(e)));
                  return;
                }
                if (kvPut && body.length > max) {
                  write(response, callback, answerError(tooLarge(max)));
                  return;
                }
                dispatch(request, response, callback, body);
              }));
      return true;
    }
  }

  /**
   * The answer to a body that could not be read: a connection that ended before the body did (an
   * {@link IOException}, e.g. Jetty's {@code EofException} when this server stops during a rolling
   * restart) is no fault of the request, so it is a 503 to send again (nothing was proposed); a
   * malformed body (bad chunked framing) is a 400.
   */
  private static HttpError bodyNotRead(Throwable error) {
    if (error instanceof IOException) {
      return new HttpError(503, "the request body did not arrive whole (" + error + "); retry")
          .header("Retry-After", "1");
    }
    return new HttpError(400, "could not read the request body: " + error);
  }

  private void dispatch(Request request, Response response, Callback callback, byte[] body) {
    // HEAD is GET without the body (RFC 9110 9.3.2): routed as GET, the body dropped in write().
    String method = request.getMethod();
    Exchange exchange =
        new Exchange(
            method.equals("HEAD") ? "GET" : method,
            request.getHttpURI().getPath(),
            request.getHttpURI().getQuery(),
            name -> request.getHeaders().get(name),
            body);
    String path = exchange.rawPath();
    if (path.startsWith(KV_PREFIX)
        && (exchange.method().equals("PUT") || exchange.method().equals("DELETE"))) {
      // Writes never block: proposed from this thread, answered from the thread that completes
      // them (the node's callback executor), so no worker waits for the commit.
      CompletableFuture<Void> answered;
      try {
        answered = writeAsync(exchange);
      } catch (RuntimeException e) {
        answered = CompletableFuture.failedFuture(e);
      }
      answered.whenComplete((ok, failure) -> answerWrite(response, callback, exchange, failure));
      return;
    }
    if (!path.startsWith(KV_PREFIX)
        && !path.startsWith("/v1/admin/")
        && !MembersApi.matches(path)) {
      handle(exchange); // cheap and non-blocking: answered on Jetty's thread
      write(response, callback, exchange);
      return;
    }
    try {
      workers.execute(
          () -> {
            handle(exchange);
            write(response, callback, exchange);
          });
    } catch (RejectedExecutionException e) {
      write(response, callback, answerError(stopping()));
    }
  }

  /** Answers a write on the answering thread ({@link WriteAnswers}). */
  private void answerWrite(
      Response response, Callback callback, Exchange exchange, Throwable failure) {
    answers.answer(
        () -> {
          if (failure != null) {
            fillFailure(exchange, failure);
          }
          write(response, callback, exchange);
        });
  }

  /** PUT or DELETE /v1/kv/{key}: completes once the answer is set on {@code exchange}. */
  private CompletableFuture<Void> writeAsync(Exchange exchange) {
    Bytes key = RequestParsing.decodeKey(exchange.rawPath().substring(KV_PREFIX.length()));
    KvCall call = new KvCall(this, exchange, node, options.requestTimeout());
    // Both fail with the HttpError to answer with. A PUT's parameters stay bytes (prevValue).
    return exchange.method().equals("PUT")
        ? call.put(
            key,
            Bytes.wrapUnsafe(exchange.body()),
            RequestParsing.parseQueryBytes(exchange.rawQuery()))
        : call.delete(key, RequestParsing.parseQuery(exchange.rawQuery()));
  }

  private void handle(Exchange exchange) {
    try {
      route(exchange);
    } catch (RuntimeException e) {
      fillFailure(exchange, e);
    }
  }

  /** Sets the answer to a request that failed with {@code failure}. */
  private void fillFailure(Exchange exchange, Throwable failure) {
    Throwable e = failure;
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof HttpError error) {
      fill(exchange, error);
    } else if (e instanceof RaftException raft) {
      fill(exchange, translate(raft));
    } else {
      log.error("request {} {} failed", exchange.method(), exchange.rawPath(), e);
      fill(exchange, new HttpError(500, "internal error: " + e));
    }
  }

  private void route(Exchange exchange) {
    String path = exchange.rawPath();
    String method = exchange.method();
    Map<String, String> params = RequestParsing.parseQuery(exchange.rawQuery());
    KvCall call = new KvCall(this, exchange, node, options.requestTimeout());
    if (path.equals("/v1/status")) {
      RequestParsing.requireMethod(method, Set.of("GET"));
      RequestParsing.allowParams(params, Set.of());
      json(exchange, 200, statusJson(node.status()));
    } else if (path.startsWith(KV_PREFIX)) {
      RequestParsing.requireMethod(method, Set.of("GET", "PUT", "DELETE")); // PUT, DELETE: above
      Bytes key = RequestParsing.decodeKey(path.substring(KV_PREFIX.length()));
      call.get(key, params);
    } else if (path.equals("/v1/admin/transfer-leader")) {
      RequestParsing.requireMethod(method, Set.of("POST"));
      call.transferLeader(params);
    } else if (MembersApi.matches(path)) {
      new MembersApi(this, node, options.requestTimeout()).handle(exchange, params);
    } else if (path.equals("/v1/admin/snapshot")) {
      RequestParsing.requireMethod(method, Set.of("POST"));
      call.snapshot(params);
    } else if (path.equals("/health/live") || path.equals("/health/ready")) {
      RequestParsing.requireMethod(method, Set.of("GET"));
      RequestParsing.allowParams(params, Set.of());
      RaftHealth health = node.health();
      boolean ok = path.endsWith("live") ? health.live() : health.ready();
      json(
          exchange,
          ok ? 200 : 503,
          ordered("live", health.live(), "ready", health.ready(), "problems", health.problems()));
    } else if (path.equals("/metrics") && metrics != null) {
      RequestParsing.requireMethod(method, Set.of("GET"));
      exchange.setHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.respond(200, metrics.get().getBytes(StandardCharsets.UTF_8));
    } else {
      throw new HttpError(404, "no such endpoint: " + path).with("endpoints", ENDPOINTS);
    }
  }

  // ---- answers ----

  /** The answer to a request that arrives while the server stops: retry on another node. */
  HttpError stopping() {
    return translate(
            new NodeClosedException("the server is stopping; send the request to another node"))
        .with("node", self.value())
        .header("Connection", "close");
  }

  HttpError noLeader() {
    return new HttpError(503, "no leader is known right now; retry shortly")
        .with("node", self.value())
        .header("Retry-After", "1");
  }

  static HttpError outcomeUnknown(String why) {
    return new HttpError(504, "outcome unknown: " + why)
        .with("outcome", "unknown")
        .with("hint", "retrying with the same Idempotency-Key is safe");
  }

  static HttpError translate(Throwable cause) {
    if (cause instanceof IndeterminateResultException) {
      return outcomeUnknown(cause.getMessage());
    } else if (cause instanceof ProposalDroppedException dropped && !dropped.reason().retryable()) {
      // Too large for the node: retrying can never succeed.
      return new HttpError(413, "request too large: " + cause.getMessage());
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

  private static HttpError tooLarge(int max) {
    return new HttpError(413, "value larger than the limit of " + max + " bytes")
        .with("maxValueBytes", max);
  }

  private Map<String, Object> statusJson(RaftStatus status) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", status.id().value());
    json.put("state", status.state().name());
    json.put("role", status.role().name());
    json.put("term", status.term());
    json.put("leader", status.leader().map(NodeId::value).orElse(null));
    json.put(
        "leaderHttp",
        status.leader().map(id -> httpOf(id, status.membership())).map(URI::toString).orElse(null));
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
      member.put(
          "http",
          Optional.ofNullable(httpOf(id, status.membership())).map(URI::toString).orElse(null));
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

  static Map<String, Object> ordered(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  void json(Exchange exchange, int status, Map<String, Object> body) {
    exchange.setHeader("Content-Type", "application/json");
    try {
      exchange.respond(status, JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException("JSON encoding failed", e);
    }
  }

  private void fill(Exchange exchange, HttpError error) {
    error.headers().forEach(exchange::setHeader);
    json(exchange, error.status(), error.fields());
  }

  private Exchange answerError(HttpError error) {
    Exchange exchange = new Exchange("", "", null, name -> null, new byte[0]);
    fill(exchange, error);
    return exchange;
  }

  private static void write(Response response, Callback callback, Exchange exchange) {
    response.setStatus(exchange.status());
    HttpFields.Mutable headers = response.getHeaders();
    exchange.responseHeaders().forEach((name, value) -> headers.put(field(name, value)));
    byte[] body = exchange.responseBody();
    // No answer sets Content-Length itself: added, not put (put searches the fields first).
    headers.add(HttpHeader.CONTENT_LENGTH, body.length);
    if (response.getRequest().getMethod().equals("HEAD")) {
      response.write(true, null, callback); // the GET's headers, Content-Length included
    } else {
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }

  private static HttpField field(String name, String value) {
    return name.equals("Content-Type") && value.equals("application/json")
        ? JSON_CONTENT_TYPE
        : new HttpField(name, value);
  }

  /**
   * Jetty's own errors (a bad request line, a header too large) as JSON too; and the 503 {@link
   * GracefulHandler} answers to a request that arrives during the {@link #drain()}, as {@link
   * #stopping()}.
   */
  private final class JsonErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (graceful.isShutdown()
          && Integer.valueOf(503)
              .equals(
                  request.getAttribute(
                      org.eclipse.jetty.server.handler.ErrorHandler.ERROR_STATUS))) {
        response.getHeaders().add(nodeField);
        write(response, callback, answerError(stopping()));
        return true;
      }
      Object message =
          request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
      String text = message == null ? "bad request" : message.toString();
      byte[] body;
      try {
        body = JSON.writeValueAsBytes(Map.of("error", text));
      } catch (IOException e) {
        body = new byte[0];
      }
      response.getHeaders().put(nodeField); // Entry, which adds it to every other answer, never ran
      response.getHeaders().put(JSON_CONTENT_TYPE);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
  }

  /**
   * Relays {@code exchange} to the {@code leader} a refused request named and answers with the
   * leader's response; 503 when there is no other node to relay to, or the request was already
   * relayed once (so two nodes never bounce it between them).
   */
  void relayToLeader(Exchange exchange, Optional<NodeId> leader) {
    if (leader.isEmpty() || leader.get().value().equals(self())) {
      throw noLeader();
    }
    URI base = httpOf(leader.get());
    if (base == null || LeaderForwarder.isForwarded(exchange)) {
      throw noLeader().with("leader", leader.get().value());
    }
    LeaderForwarder.Relayed relayed =
        forwarder().forward(exchange, exchange.body(), leader.get(), base);
    for (String[] header : relayed.headers()) {
      exchange.setHeader(header[0], header[1]);
    }
    exchange.respond(relayed.status(), relayed.body());
  }
}
