package io.jangada.raft.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.grpc.proto.ClientReply;
import io.jangada.raft.grpc.proto.CloseSessionRequest;
import io.jangada.raft.grpc.proto.Consistency;
import io.jangada.raft.grpc.proto.OpenSessionRequest;
import io.jangada.raft.grpc.proto.QueryRequest;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc.RaftClientServiceStub;
import io.jangada.raft.grpc.proto.SubmitRequest;
import io.jangada.raft.model.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A client of a Jangada cluster over the client protocol that every node serves with {@link
 * GrpcTransport#serveClients}. Commands are exactly-once: the client opens a session on first use,
 * numbers its commands, and retries a command with the same number, so the cluster applies it at
 * most once however often it is retried (through redirects, failover and lost answers).
 *
 * <pre>{@code
 * try (RaftClient client = RaftClient.builder()
 *     .endpoints("10.0.0.1:7001", "10.0.0.2:7001", "10.0.0.3:7001")
 *     .clusterId("orders")
 *     .build()) {
 *   Bytes result = client.submit(Bytes.ofUtf8("put x 1")).join();
 *   Bytes value = client.query(Bytes.ofUtf8("get x"), ReadConsistency.LINEARIZABLE).join();
 * }
 * }</pre>
 *
 * <p>Leader discovery: requests go to the last node known to lead, else to the seed endpoints in
 * turn; a node that is not the leader forwards a submission inside the cluster or answers with the
 * leader's address, which the client then caches. Retries: after an indeterminate answer, a refused
 * or unreachable node, with exponential backoff and jitter, until the overall {@link
 * Builder#deadline}.
 *
 * <p>Transport: commands up to 64 KiB travel on one long-lived {@code SubmitStream} per node (each
 * with a call id that its answer echoes); larger ones, queries and session requests are unary
 * calls, and so is every command to a node that does not serve the stream (an older version). A
 * follower that forwarded a command names the leader in its answer, and the client then sends to
 * the leader.
 *
 * <p>Failures (as the cause of the future's failure): {@link NoLeaderException} when no node
 * completed the request within the deadline; {@link SessionExpiredException} when the session
 * expired on the cluster while a command whose earlier attempt may have been applied was retried (a
 * command never attempted before is resent in a new session instead); {@link
 * RequestTooLargeException}; {@link WrongClusterException} when a node belongs to another cluster
 * (a configuration error); {@link RaftClientException} for other answers that retrying cannot
 * change.
 *
 * <p>Thread-safe: share one client; any number of requests may be in flight. Futures complete on
 * the callback executor (default {@link ForkJoinPool#commonPool()}).
 */
public final class RaftClient implements AutoCloseable {

  private final List<String> endpoints;
  private final String clusterId;
  private final Duration deadline;
  private final Duration attemptTimeout;
  private final Duration backoffInitial;
  private final Duration backoffMax;
  private final int maxRequestBytes;
  private final ChannelCredentials credentials;
  private final Executor callbacks;
  private final ScheduledExecutorService timer;
  private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  // One SubmitStream per endpoint for commands up to STREAM_MAX_COMMAND_BYTES.
  private final SubmitStreams streams;
  private final AtomicInteger nextEndpoint = new AtomicInteger();
  private volatile String leader; // the endpoint believed to lead, or null

  /**
   * Larger commands go in unary calls: a stream carries one message at a time (a large one would
   * hold up the others), and an oversized message fails the whole stream, not only its own call.
   */
  static final int STREAM_MAX_COMMAND_BYTES = 64 << 10;

  // Sequences submitted and not finished: the lowest one is the lowest unacknowledged.
  private final SequenceWindow sequences = new SequenceWindow();
  private CompletableFuture<Long> session; // guarded by this
  private boolean closed; // guarded by this

  private RaftClient(Builder b) throws IOException {
    this.endpoints = List.copyOf(b.endpoints);
    this.clusterId = b.clusterId;
    this.deadline = b.deadline;
    this.attemptTimeout = b.attemptTimeout;
    this.backoffInitial = b.backoffInitial;
    this.backoffMax = b.backoffMax;
    this.maxRequestBytes = b.maxRequestBytes;
    this.callbacks = b.callbacks;
    this.credentials = credentials(b);
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread thread = new Thread(r, "jangada-client-timer");
              thread.setDaemon(true);
              return thread;
            });
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.streams = new SubmitStreams(this::channel, t, attemptTimeout);
  }

  /** A builder; endpoints and cluster id are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Submits {@code command} exactly once and completes with the state machine's result. Safe to
   * call from many threads at once.
   */
  public CompletableFuture<Bytes> submit(Bytes command) {
    Objects.requireNonNull(command, "command");
    CompletableFuture<Bytes> result = new CompletableFuture<>();
    if (command.size() > maxRequestBytes) {
      result.completeExceptionally(tooLarge(command.size()));
      return result;
    }
    new Submission(command, System.nanoTime() + deadline.toNanos(), result).start();
    return expose(result);
  }

  /** Runs a read-only {@code request} on the state machine with the given consistency. */
  public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(consistency, "consistency");
    CompletableFuture<Bytes> result = new CompletableFuture<>();
    if (request.size() > maxRequestBytes) {
      result.completeExceptionally(tooLarge(request.size()));
      return result;
    }
    QueryRequest q =
        QueryRequest.newBuilder()
            .setClusterId(clusterId)
            .setRequest(ByteString.copyFrom(request.asReadOnlyByteBuffer()))
            .setConsistency(
                consistency == ReadConsistency.STALE
                    ? Consistency.CONSISTENCY_STALE
                    : consistency == ReadConsistency.LEASE
                        ? Consistency.CONSISTENCY_LEASE
                        : Consistency.CONSISTENCY_LINEARIZABLE)
            .build();
    new Retrying<Bytes>("query", System.nanoTime() + deadline.toNanos(), result) {
      @Override
      void send(RaftClientServiceStub stub, StreamObserver<ClientReply> reply) {
        stub.query(q, reply);
      }

      @Override
      void ok(ClientReply reply) {
        result.complete(Bytes.wrapUnsafe(reply.getResult().toByteArray()));
      }
    }.attempt();
    return expose(result);
  }

  /**
   * Closes the session (best effort, waiting at most a second) and releases the connections.
   * Requests still in flight fail. Idempotent.
   */
  @Override
  public void close() {
    CompletableFuture<Long> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = session;
    }
    if (open != null && open.isDone() && !open.isCompletedExceptionally()) {
      long id = open.join();
      CompletableFuture<Void> done = new CompletableFuture<>();
      new Retrying<Void>("close session", System.nanoTime() + 1_000_000_000L, done) {
        @Override
        void send(RaftClientServiceStub stub, StreamObserver<ClientReply> reply) {
          stub.closeSession(
              CloseSessionRequest.newBuilder().setClusterId(clusterId).setClientId(id).build(),
              reply);
        }

        @Override
        void ok(ClientReply reply) {
          done.complete(null);
        }
      }.attempt();
      try {
        done.get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // best effort: the session expires on the cluster anyway
      }
    }
    timer.shutdownNow();
    streams.cancelAll("the client is closed");
    for (ManagedChannel channel : channels.values()) {
      channel.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- sessions

  private synchronized CompletableFuture<Long> session() {
    if (closed) {
      return CompletableFuture.failedFuture(new RaftClientException("the client is closed"));
    }
    if (session == null || session.isCompletedExceptionally()) {
      CompletableFuture<Long> opening = new CompletableFuture<>();
      session = opening;
      new Retrying<Long>("open session", System.nanoTime() + deadline.toNanos(), opening) {
        @Override
        void send(RaftClientServiceStub stub, StreamObserver<ClientReply> reply) {
          stub.openSession(OpenSessionRequest.newBuilder().setClusterId(clusterId).build(), reply);
        }

        @Override
        void ok(ClientReply reply) {
          opening.complete(reply.getClientId());
        }
      }.attempt();
    }
    return session;
  }

  /** The cluster forgot session {@code id}: the next request opens a new one. */
  private synchronized void sessionLost(long id) {
    if (session != null && session.isDone() && !session.isCompletedExceptionally()) {
      if (session.join() == id) {
        session = null;
      }
    }
  }

  /** One submitted command: its session, sequence number and attempts. */
  private final class Submission {
    final Bytes command;
    final ByteString commandBytes; // built once per submission, not per attempt
    final long deadlineNanos;
    final CompletableFuture<Bytes> result;
    boolean mayHaveApplied;

    Submission(Bytes command, long deadlineNanos, CompletableFuture<Bytes> result) {
      this.command = command;
      this.commandBytes = UnsafeByteOperations.unsafeWrap(command.asReadOnlyByteBuffer());
      this.deadlineNanos = deadlineNanos;
      this.result = result;
    }

    void start() {
      CompletableFuture<Long> open = session();
      if (open.isDone() && !open.isCompletedExceptionally()) {
        begin(open.join()); // the usual case: no dependent future per command
        return;
      }
      open.whenComplete(
          (id, error) -> {
            if (error != null) {
              result.completeExceptionally(unwrap(error));
            } else {
              begin(id);
            }
          });
    }

    private void begin(long clientId) {
      long seq = sequences.next();
      result.whenComplete((r, e) -> sequences.finish(seq));
      sendIn(clientId, seq);
    }

    private void sendIn(long clientId, long seq) {
      // The attempts complete the submission's result; after SESSION_EXPIRED for a command never
      // applied, start() sends it again in a new session and these attempts stop.
      new Retrying<Bytes>("submit", deadlineNanos, result) {
        @Override
        void send(RaftClientServiceStub stub, StreamObserver<ClientReply> reply) {
          stub.submit(request().build(), reply);
        }

        @Override
        boolean sendOnStream(String endpoint, long attemptDeadlineNanos) {
          return command.size() <= STREAM_MAX_COMMAND_BYTES
              && streams.send(endpoint, request(), this, attemptDeadlineNanos);
        }

        private SubmitRequest.Builder request() {
          return SubmitRequest.newBuilder()
              .setClusterId(clusterId)
              .setClientId(clientId)
              .setSequence(seq)
              .setLowestUnacknowledged(Math.min(sequences.lowestUnfinished(), seq))
              .setCommand(commandBytes);
        }

        @Override
        void ok(ClientReply reply) {
          result.complete(Bytes.wrapUnsafe(reply.getResult().toByteArray()));
        }

        @Override
        void mayHaveApplied() {
          mayHaveApplied = true;
        }

        @Override
        boolean sessionExpired(ClientReply reply) {
          sessionLost(clientId);
          if (mayHaveApplied) {
            result.completeExceptionally(
                new SessionExpiredException(clientId, seq, reply.getMessage()));
          } else {
            // Never applied in that session: resend in a new one (new sequence number).
            sequences.finish(seq);
            start();
          }
          return true;
        }
      }.attempt();
    }
  }

  // ---------------------------------------------------------------- attempts

  /** Sends one kind of request until it gets a final answer or the deadline passes. */
  private abstract class Retrying<T> implements SubmitStream.Call {
    final String what;
    final long deadlineNanos;
    final CompletableFuture<T> result;
    int attempts;
    String endpoint;
    Throwable lastError;
    boolean maybeApplied;
    boolean unaryOnly; // a stream failed with RESOURCE_EXHAUSTED: this request goes unary

    Retrying(String what, long deadlineNanos, CompletableFuture<T> result) {
      this.what = what;
      this.deadlineNanos = deadlineNanos;
      this.result = result;
    }

    abstract void send(RaftClientServiceStub stub, StreamObserver<ClientReply> reply);

    abstract void ok(ClientReply reply);

    /**
     * Sends this attempt on {@code endpoint}'s stream, answering to this object's {@link
     * SubmitStream.Call} methods by {@code attemptDeadlineNanos}; false to send a unary call.
     */
    boolean sendOnStream(String endpoint, long attemptDeadlineNanos) {
      return false;
    }

    /** An attempt may have been appended (its outcome is unknown). */
    void mayHaveApplied() {}

    /** A SESSION_EXPIRED answer; returns whether it was handled (else it fails the request). */
    boolean sessionExpired(ClientReply reply) {
      return false;
    }

    void attempt() {
      if (result.isDone()) {
        return;
      }
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        result.completeExceptionally(
            new NoLeaderException(
                what
                    + " did not complete within the deadline of "
                    + deadline
                    + " after "
                    + attempts
                    + " attempts"
                    + (lastError == null ? "" : "; last error: " + lastError.getMessage()),
                maybeApplied,
                lastError));
        return;
      }
      attempts++;
      endpoint = pickEndpoint();
      long timeout = Math.min(remaining, attemptTimeout.toNanos());
      RaftClientServiceStub stub;
      try {
        if (!unaryOnly && sendOnStream(endpoint, System.nanoTime() + timeout)) {
          return;
        }
        stub =
            RaftClientServiceGrpc.newStub(channel(endpoint))
                .withDeadlineAfter(timeout, TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) {
        failed(e, true);
        return;
      }
      send(stub, new Observer(this::onReply, this::onError));
    }

    @Override
    public void onReply(ClientReply reply) {
      switch (reply.getCode()) {
        case REPLY_CODE_OK:
          if (endpoint != null && !reply.getLeaderAddress().isEmpty()) {
            leader = reply.getLeaderAddress();
          }
          ok(reply);
          return;
        case REPLY_CODE_NOT_LEADER:
          lastError = new RaftClientException(reply.getMessage());
          if (!reply.getLeaderAddress().isEmpty() && !reply.getLeaderAddress().equals(endpoint)) {
            leader = reply.getLeaderAddress();
            retry(attempts <= 1 ? 0 : backoff());
          } else {
            forget(endpoint);
            retry(backoff());
          }
          return;
        case REPLY_CODE_INDETERMINATE:
          markMaybeApplied();
          lastError = new RaftClientException(reply.getMessage());
          retry(backoff());
          return;
        case REPLY_CODE_BUSY:
          lastError = new RaftClientException(reply.getMessage());
          retry(backoff());
          return;
        case REPLY_CODE_UNAVAILABLE:
          lastError = new RaftClientException(reply.getMessage());
          forget(endpoint);
          retry(backoff());
          return;
        case REPLY_CODE_SESSION_EXPIRED:
          if (!sessionExpired(reply)) {
            result.completeExceptionally(new SessionExpiredException(0, 0, reply.getMessage()));
          }
          return;
        case REPLY_CODE_TOO_LARGE:
          result.completeExceptionally(new RequestTooLargeException(reply.getMessage()));
          return;
        case REPLY_CODE_WRONG_CLUSTER:
          result.completeExceptionally(
              new WrongClusterException(reply.getMessage() + " (at " + endpoint + ")"));
          return;
        default:
          result.completeExceptionally(
              new RaftClientException(
                  what
                      + " failed at "
                      + endpoint
                      + ": "
                      + reply.getCode()
                      + " "
                      + reply.getMessage()));
      }
    }

    @Override
    public void onFailure(Status status, boolean maybeProcessed) {
      switch (status.getCode()) {
        case UNIMPLEMENTED:
          // An older node without SubmitStream: nothing was processed; unary calls from now on.
          streams.unimplementedAt(endpoint);
          lastError = status.asRuntimeException();
          retry(0);
          return;
        case RESOURCE_EXHAUSTED:
          // A message too large for the stream (this one or another's): retry this one unary,
          // where only an oversized request itself fails.
          unaryOnly = true;
          if (maybeProcessed) {
            markMaybeApplied();
          }
          lastError = status.asRuntimeException();
          retry(0);
          return;
        default:
          failed(status.asRuntimeException(), maybeProcessed);
      }
    }

    private void onError(Throwable error) {
      Status status = Status.fromThrowable(error);
      if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        result.completeExceptionally(
            new RequestTooLargeException(what + " refused by " + endpoint + ": " + status));
        return;
      }
      if (status.getCode() == Status.Code.UNAVAILABLE) {
        resetBackoff(endpoint);
      }
      failed(error, status.getCode() != Status.Code.UNAVAILABLE);
    }

    private void failed(Throwable error, boolean maybeSent) {
      if (maybeSent) {
        markMaybeApplied();
      }
      lastError = error;
      forget(endpoint);
      retry(backoff());
    }

    private void markMaybeApplied() {
      maybeApplied = true;
      mayHaveApplied();
    }

    private long backoff() {
      long base = backoffInitial.toNanos() << Math.min(20, Math.max(0, attempts - 1));
      long capped = Math.min(base, backoffMax.toNanos());
      return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1); // jitter
    }

    private void retry(long delayNanos) {
      long delay = Math.min(delayNanos, Math.max(0, deadlineNanos - System.nanoTime()));
      try {
        timer.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        result.completeExceptionally(new RaftClientException("the client is closed"));
      }
    }
  }

  /** Hands a unary call's single answer or error to the attempt. */
  private static final class Observer implements StreamObserver<ClientReply> {
    private final java.util.function.Consumer<ClientReply> onReply;
    private final java.util.function.Consumer<Throwable> onError;
    private ClientReply reply;

    Observer(
        java.util.function.Consumer<ClientReply> onReply,
        java.util.function.Consumer<Throwable> onError) {
      this.onReply = onReply;
      this.onError = onError;
    }

    @Override
    public void onNext(ClientReply value) {
      reply = value;
    }

    @Override
    public void onError(Throwable t) {
      onError.accept(t);
    }

    @Override
    public void onCompleted() {
      if (reply == null) {
        onError.accept(new StatusRuntimeException(Status.INTERNAL.withDescription("no reply")));
      } else {
        onReply.accept(reply);
      }
    }
  }

  // ---------------------------------------------------------------- endpoints

  private String pickEndpoint() {
    String known = leader;
    if (known != null) {
      return known;
    }
    return endpoints.get(Math.floorMod(nextEndpoint.getAndIncrement(), endpoints.size()));
  }

  private void forget(String endpoint) {
    if (endpoint != null && endpoint.equals(leader)) {
      leader = null;
    }
  }

  /**
   * Our own backoff decides when {@code endpoint} is tried again, not its channel's: after a node
   * was down for a while, gRPC's reconnect backoff (up to two minutes) would fail every attempt on
   * that channel at once, long after the node is back (a whole cluster restarted, a client whose
   * only reachable seed restarted).
   */
  private void resetBackoff(String endpoint) {
    ManagedChannel channel = endpoint == null ? null : channels.get(endpoint);
    if (channel != null) {
      channel.resetConnectBackoff();
    }
  }

  private ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(
        endpoint,
        e -> {
          synchronized (this) {
            if (closed) {
              throw new IllegalStateException("the client is closed");
            }
          }
          return NettyChannelBuilder.forTarget(e, credentials)
              // Answers are handed to the attempt on the network thread that read them (it only
              // completes internal futures; the caller's future completes on the callback
              // executor): no hop through a gRPC executor per answer.
              .directExecutor()
              .maxInboundMessageSize(Math.max(maxRequestBytes, 4 << 20) + (64 << 10))
              .build();
        });
  }

  private RequestTooLargeException tooLarge(int size) {
    return new RequestTooLargeException(
        "request of "
            + size
            + " bytes exceeds the client's limit of "
            + maxRequestBytes
            + " bytes");
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause()
        : e;
  }

  private <T> CompletableFuture<T> expose(CompletableFuture<T> internal) {
    CompletableFuture<T> external = new CompletableFuture<>();
    BiConsumer<T, Throwable> hand =
        (value, error) ->
            callbacks.execute(
                () -> {
                  if (error != null) {
                    external.completeExceptionally(unwrap(error));
                  } else {
                    external.complete(value);
                  }
                });
    internal.whenComplete(hand);
    return external;
  }

  private static ChannelCredentials credentials(Builder b) throws IOException {
    if (b.trustedCa == null) {
      return InsecureChannelCredentials.create();
    }
    // Checked as the transport's are (PemCheck), so a bad file is named now, not at a handshake.
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    byte[] ca = Files.readAllBytes(b.trustedCa);
    PemCheck.certificates(ca, "TLS trusted CA file " + b.trustedCa);
    tls.trustManager(new java.io.ByteArrayInputStream(ca));
    if (b.clientCert != null) {
      byte[] cert = Files.readAllBytes(b.clientCert);
      byte[] key = Files.readAllBytes(b.clientKey);
      PemCheck.keyPair(
          cert,
          "TLS client certificate " + b.clientCert,
          key,
          "TLS client private key " + b.clientKey);
      tls.keyManager(new java.io.ByteArrayInputStream(cert), new java.io.ByteArrayInputStream(key));
    }
    return tls.build();
  }

  /** Builds a {@link RaftClient}. Not thread-safe. */
  public static final class Builder {
    private final List<String> endpoints = new ArrayList<>();
    private String clusterId;
    private Duration deadline = Duration.ofSeconds(30);
    private Duration attemptTimeout = Duration.ofSeconds(5);
    private Duration backoffInitial = Duration.ofMillis(20);
    private Duration backoffMax = Duration.ofSeconds(1);
    private int maxRequestBytes = 1 << 20;
    private Executor callbacks = ForkJoinPool.commonPool();
    private Path trustedCa;
    private Path clientCert;
    private Path clientKey;

    private Builder() {}

    /**
     * Seed endpoints ({@code host:port} of nodes' gRPC servers, e.g. {@code 10.0.0.1:7001} or
     * {@code [::1]:7001}); at least one is required. Checked by {@link #build()}.
     */
    public Builder endpoints(String... hostAndPorts) {
      return endpoints(Arrays.asList(hostAndPorts));
    }

    /** Seed endpoints; see {@link #endpoints(String...)}. */
    public Builder endpoints(List<String> hostAndPorts) {
      for (String endpoint : hostAndPorts) {
        endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
      }
      return this;
    }

    /** The cluster id the nodes were configured with (required). */
    public Builder clusterId(String clusterId) {
      this.clusterId = clusterId;
      return this;
    }

    /** How long a request may take in all, retries included (default 30 s). */
    public Builder deadline(Duration deadline) {
      this.deadline = deadline;
      return this;
    }

    /** How long one attempt waits for its answer (default 5 s). */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = attemptTimeout;
      return this;
    }

    /**
     * The pause before a retry: {@code initial} doubling per attempt up to {@code max}, with random
     * jitter (defaults 20 ms and 1 s).
     */
    public Builder backoff(Duration initial, Duration max) {
      this.backoffInitial = Objects.requireNonNull(initial, "initial");
      this.backoffMax = Objects.requireNonNull(max, "max");
      return this;
    }

    /** Largest command or query sent (default 1 MiB, the nodes' default proposal limit). */
    public Builder maxRequestBytes(int bytes) {
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * Where futures complete (default {@link ForkJoinPool#commonPool()}). A direct executor saves a
     * hand-off per request but runs the caller's callbacks on gRPC's network thread, which then
     * reads no other answers until they return: they must not block.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbacks = executor;
      return this;
    }

    /** TLS: trust servers whose certificates this CA (PEM) signed. */
    public Builder tls(Path trustedCaPem) {
      this.trustedCa = trustedCaPem;
      return this;
    }

    /** Mutual TLS: also present this certificate chain and PKCS#8 key (PEM). */
    public Builder clientCertificate(Path certChainPem, Path privateKeyPem) {
      this.clientCert = certChainPem;
      this.clientKey = privateKeyPem;
      return this;
    }

    /**
     * @throws IllegalStateException naming what is missing or invalid, e.g. an endpoint that is not
     *     {@code host:port} with a port from 1 to 65535
     * @throws IllegalArgumentException naming the TLS file that is not PEM, holds no unencrypted
     *     PKCS#8 key, or a key that does not belong to its certificate
     * @throws java.io.UncheckedIOException if the TLS material cannot be read
     */
    public RaftClient build() {
      if (endpoints.isEmpty()) {
        throw new IllegalStateException("RaftClient.Builder: at least one endpoint is required");
      }
      for (String endpoint : endpoints) {
        try {
          GrpcTransport.Builder.parseRemote(endpoint);
        } catch (IllegalArgumentException e) {
          // Fail here: gRPC would only fail each attempt, and the caller would see a
          // NoLeaderException after the whole deadline, as if the cluster were down.
          throw new IllegalStateException(
              "RaftClient.Builder: endpoint '"
                  + endpoint
                  + "' is not a node's host:port (e.g. 10.0.0.1:7001): "
                  + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
              e);
        }
      }
      if (clusterId == null || clusterId.isBlank()) {
        throw new IllegalStateException("RaftClient.Builder: clusterId is required");
      }
      Objects.requireNonNull(deadline, "deadline");
      Objects.requireNonNull(attemptTimeout, "attemptTimeout");
      Objects.requireNonNull(callbacks, "callbackExecutor");
      if (deadline.isNegative()
          || deadline.isZero()
          || attemptTimeout.isNegative()
          || attemptTimeout.isZero()) {
        throw new IllegalStateException(
            "RaftClient.Builder: deadline and attemptTimeout must be positive");
      }
      if (backoffInitial.isNegative()
          || backoffInitial.isZero()
          || backoffMax.compareTo(backoffInitial) < 0) {
        throw new IllegalStateException("RaftClient.Builder: backoff needs 0 < initial <= max");
      }
      if (maxRequestBytes < 1) {
        throw new IllegalStateException("RaftClient.Builder: maxRequestBytes must be >= 1");
      }
      if (clientCert != null && trustedCa == null) {
        throw new IllegalStateException("RaftClient.Builder: clientCertificate needs tls(ca)");
      }
      try {
        return new RaftClient(this);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("RaftClient: cannot read the TLS material", e);
      }
    }
  }
}
