package io.jangada.raft.examples.kv.cli;

import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.client.KvClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One bench thread's way to the leader: a blocking {@code PUT /v1/kv/{key}} over a kept-alive
 * HTTP/1.1 connection ({@link HttpURLConnection}, which keeps one idle connection per thread here),
 * sent to the leader's HTTP address that {@link Target} learnt from the cluster.
 *
 * <p>Why not {@link KvClient} for every write: its {@code java.net.http.HttpClient} hands each
 * request and response between the calling thread, a selector thread and an executor thread, which
 * cost the bench process several times the CPU of a blocking write and read on the caller's own
 * socket (on a 2-core machine shared with three node processes, that CPU is taken from the nodes).
 * {@link KvClient} still handles every write that does not get a 200 from the leader.
 *
 * <p>One instance per thread; not thread-safe.
 */
final class LeaderWriter {

  private static final int CONNECT_TIMEOUT_MS = 1_000;
  private static final int READ_TIMEOUT_MS = 30_000;

  private final Target target;

  LeaderWriter(Target target) {
    this.target = target;
  }

  /**
   * Lets {@link HttpURLConnection} keep an idle connection for each of {@code clients} threads (its
   * default keeps 5 per host, so with more threads most writes would open a new connection). A
   * JVM-wide setting: called once by the bench command, which runs alone in its JVM, before the
   * first connection; an explicit {@code -Dhttp.maxConnections} wins.
   */
  static void keepConnectionsAlive(int clients) {
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", Integer.toString(Math.max(5, clients)));
    }
  }

  /**
   * PUTs {@code value} under {@code key} on the leader; true if it answered 200, false on any other
   * answer or an I/O failure (the caller then sends the write through {@link KvClient}; a put that
   * is sent twice may apply twice, harmless for the bench's puts of one value).
   */
  boolean put(String key, byte[] value) {
    URI base = target.leader();
    HttpURLConnection connection = null;
    try {
      String path = "/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
      connection = (HttpURLConnection) base.resolve(path).toURL().openConnection();
      connection.setRequestMethod("PUT");
      connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
      connection.setReadTimeout(READ_TIMEOUT_MS);
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      connection.setDoOutput(true);
      connection.setFixedLengthStreamingMode(value.length); // also: never resent by the JDK
      connection.setRequestProperty("Content-Type", "application/octet-stream");
      try (OutputStream out = connection.getOutputStream()) {
        out.write(value);
      }
      int status = connection.getResponseCode();
      // Read the answer to its end so the connection goes back to the keep-alive cache.
      try (InputStream in =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
        if (in != null) {
          in.readAllBytes();
        }
      }
      return status == 200;
    } catch (IOException | IllegalArgumentException e) {
      if (connection != null) {
        connection.disconnect();
      }
      return false;
    }
  }

  /** The leader's HTTP base URL as the cluster last named it; shared by the bench's threads. */
  static final class Target {
    private final KvClient client;
    private volatile URI leader;

    /** Asks {@code client}'s nodes for the leader; until one names it, the first node. */
    Target(KvClient client) {
      this.client = client;
      this.leader = client.nodes().get(0);
      refresh();
    }

    URI leader() {
      return leader;
    }

    /** Asks the cluster for the leader again (after a write that the leader did not answer). */
    void refresh() {
      try {
        String http = client.status().path("leaderHttp").asText("");
        if (!http.isEmpty()) {
          leader = URI.create(http);
        }
      } catch (KvClientException | IllegalArgumentException e) {
        // keep the last known leader; the writes' fallback through KvClient still finds one
      }
    }
  }
}
