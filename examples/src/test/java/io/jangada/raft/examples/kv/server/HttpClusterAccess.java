package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** {@link HttpCluster} for tests in other packages. */
public final class HttpClusterAccess implements AutoCloseable {

  private final HttpCluster cluster;

  private HttpClusterAccess(HttpCluster cluster) {
    this.cluster = cluster;
  }

  /** Three in-memory nodes behind HTTP servers on 127.0.0.1, seeded. */
  public static HttpClusterAccess start(long seed) throws IOException {
    return new HttpClusterAccess(
        new HttpCluster(seed, new KvHttpServer.Options(1 << 20, Duration.ofSeconds(10), 8)));
  }

  /** The HTTP URLs, a follower's first. */
  public List<URI> urlsFollowerFirst() {
    NodeId follower = cluster.follower();
    List<URI> urls = new ArrayList<>();
    urls.add(cluster.urls.get(follower));
    cluster.urls.forEach(
        (id, url) -> {
          if (!id.equals(follower)) {
            urls.add(url);
          }
        });
    return urls;
  }

  /** The leader's id. */
  public String leaderId() {
    return cluster.leader().value();
  }

  /** Starts node {@code id} in join mode (a Raft node only, no HTTP server). */
  public void join(String id) {
    cluster.join(NodeId.of(id));
  }

  /** Advances virtual time. */
  public void advance(Duration duration) {
    cluster.raft.advance(duration);
  }

  /** Runs {@code work} while advancing virtual time. */
  public <T> T pump(Supplier<CompletableFuture<T>> work) {
    return cluster.pump(work);
  }

  @Override
  public void close() {
    cluster.close();
  }
}
