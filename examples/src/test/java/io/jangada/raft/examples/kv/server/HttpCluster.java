package io.jangada.raft.examples.kv.server;

import io.jangada.raft.examples.kv.KvStateMachine;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.InMemoryCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Three real {@code RaftNode}s with {@link KvStateMachine}s in virtual time (raft-core's {@link
 * InMemoryCluster}), each behind a real {@link KvHttpServer} on 127.0.0.1. HTTP calls run on real
 * threads while the test thread pumps virtual time until they complete.
 */
final class HttpCluster implements AutoCloseable {

  final InMemoryCluster raft;
  final Map<NodeId, KvHttpServer> servers = new LinkedHashMap<>();
  final Map<NodeId, URI> urls = new LinkedHashMap<>();
  final HttpClient client =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final Map<NodeId, URI> shared = new java.util.concurrent.ConcurrentHashMap<>();
  private final KvHttpServer.Options options;

  HttpCluster(long seed, KvHttpServer.Options options) throws IOException {
    raft =
        InMemoryCluster.builder()
            .nodes(3)
            .seed(seed)
            .stateMachines(id -> new KvStateMachine())
            .customize(
                b ->
                    b.maxProposalBytes(
                        io.jangada.raft.examples.kv.KvCodec.maxCommandBytes(
                            options.maxValueBytes())))
            .build();
    // Ports are known only after binding, so bind first and then share the address map.
    this.options = options;
    for (NodeId id : raft.ids()) {
      KvNode node = new LiveNode(id);
      KvHttpServer server =
          KvHttpServer.start(new HostPort("127.0.0.1", 0), id, node, shared, options);
      servers.put(id, server);
      urls.put(id, URI.create("http://127.0.0.1:" + server.port()));
    }
    shared.putAll(urls);
  }

  /** Delegates to whatever node currently runs under {@code id} (it changes on restart). */
  private final class LiveNode implements KvNode {
    private final NodeId id;

    LiveNode(NodeId id) {
      this.id = id;
    }

    @Override
    public CompletableFuture<io.jangada.raft.Committed> propose(
        io.jangada.raft.model.Bytes c, io.jangada.raft.SessionInfo session) {
      return raft.node(id).propose(c, session);
    }

    @Override
    public CompletableFuture<Long> openSession() {
      return raft.node(id).openSession();
    }

    @Override
    public CompletableFuture<Long> openSession(String name) {
      return raft.node(id).openSession(name);
    }

    @Override
    public CompletableFuture<io.jangada.raft.model.Bytes> query(
        io.jangada.raft.model.Bytes r, io.jangada.raft.ReadConsistency consistency) {
      return raft.node(id).query(r, consistency);
    }

    @Override
    public io.jangada.raft.RaftStatus status() {
      return raft.node(id).status();
    }

    @Override
    public io.jangada.raft.RaftHealth health() {
      return raft.node(id).health();
    }

    @Override
    public CompletableFuture<Void> transferLeadership(NodeId target) {
      return raft.node(id).transferLeadership(target);
    }

    @Override
    public CompletableFuture<io.jangada.raft.model.SnapshotMeta> snapshot() {
      return raft.node(id).snapshot();
    }

    @Override
    public CompletableFuture<io.jangada.raft.CommittedMembership> addLearner(
        NodeId node, String address) {
      return raft.node(id).addLearner(node, address);
    }

    @Override
    public CompletableFuture<io.jangada.raft.CommittedMembership> promote(NodeId node) {
      return raft.node(id).promote(node);
    }

    @Override
    public CompletableFuture<io.jangada.raft.CommittedMembership> removeMember(NodeId node) {
      return raft.node(id).removeMember(node);
    }
  }

  /** Starts {@code id} in join mode (no HTTP server): an operator may now add it. */
  void join(NodeId id) {
    raft.join(id);
  }

  /** As {@link #join}, with an HTTP server for the joining node (then in {@link #urls}). */
  void joinWithHttp(NodeId id) throws IOException {
    join(id);
    KvHttpServer server =
        KvHttpServer.start(new HostPort("127.0.0.1", 0), id, new LiveNode(id), shared, options);
    servers.put(id, server);
    urls.put(id, URI.create("http://127.0.0.1:" + server.port()));
    shared.put(id, urls.get(id));
  }

  NodeId leader() {
    return raft.awaitLeader();
  }

  NodeId follower() {
    NodeId leader = leader();
    return raft.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  List<NodeId> ids() {
    return raft.ids();
  }

  HttpRequest.Builder request(NodeId node, String pathAndQuery) {
    return HttpRequest.newBuilder(urls.get(node).resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(20));
  }

  HttpResponse<String> send(HttpRequest request) {
    return pump(
        () ->
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
  }

  HttpResponse<String> put(NodeId node, String pathAndQuery, String body) {
    return send(request(node, pathAndQuery).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> get(NodeId node, String pathAndQuery) {
    return send(request(node, pathAndQuery).GET().build());
  }

  HttpResponse<String> delete(NodeId node, String pathAndQuery) {
    return send(request(node, pathAndQuery).DELETE().build());
  }

  /**
   * Writes {@code request} as is on a new connection to {@code node} and returns what came back as
   * ASCII: up to the end of the first answer's headers if {@code headersOnly}, else until the
   * server closes the connection. Pumps virtual time meanwhile.
   */
  String raw(NodeId node, String request, boolean headersOnly) {
    URI url = urls.get(node);
    return pump(
        () ->
            CompletableFuture.supplyAsync(
                () -> {
                  try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
                    socket.setSoTimeout(20_000);
                    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                    java.io.InputStream in = socket.getInputStream();
                    if (!headersOnly) {
                      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                    }
                    StringBuilder head = new StringBuilder();
                    for (int b = in.read(); b >= 0; b = in.read()) {
                      head.append((char) b);
                      if (head.toString().endsWith("\r\n\r\n")) {
                        break;
                      }
                    }
                    return head.toString();
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }));
  }

  /** Starts the work and advances virtual time until it completes (at most 20 s of real time). */
  <T> T pump(Supplier<CompletableFuture<T>> work) {
    CompletableFuture<T> future = work.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!future.isDone()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no answer within 20 s");
      }
      raft.advance(Duration.ofMillis(2));
      try {
        future.get(1, TimeUnit.MILLISECONDS); // lets the HTTP threads run
      } catch (TimeoutException | ExecutionException e) {
        // keep pumping; a failure is returned by join below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return future.join();
  }

  @Override
  public void close() {
    servers.values().forEach(KvHttpServer::close);
    raft.close();
  }
}
