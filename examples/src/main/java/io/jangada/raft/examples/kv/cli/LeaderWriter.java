package io.jangada.raft.examples.kv.cli;

import io.jangada.raft.examples.kv.client.KvClient;
import io.jangada.raft.examples.kv.client.KvClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.io.CloseMode;

/**
 * One bench thread's way to the leader: a blocking {@code PUT /v1/kv/{key}} over the thread's own
 * kept-alive HTTP/1.1 connection (Apache HttpCore 5's classic {@link
 * DefaultBHttpClientConnection}), sent to the leader's HTTP address that {@link Target} learnt from
 * the cluster.
 *
 * <p>Why this client: each request leaves in one TCP write (the request line, four headers and the
 * body, buffered together), so the server reads a whole request in one read. {@link
 * java.net.HttpURLConnection}, used before, flushes its headers before the body in every mode: two
 * writes, so the server's selector woke up and parsed twice per request, and it sent four headers
 * the server never reads. {@link KvClient}'s {@code java.net.http.HttpClient} hands each request
 * and response between the calling thread, a selector thread and an executor thread, which costs
 * the bench process several times the CPU of a blocking write and read on the caller's own socket
 * (on a 2-core machine shared with three node processes, that CPU is taken from the nodes). {@link
 * KvClient} still handles every write that does not get a 200 from the leader.
 *
 * <p>One instance per thread; not thread-safe.
 */
final class LeaderWriter implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MS = 1_000;
  private static final int READ_TIMEOUT_MS = 30_000;

  private final Target target;
  private DefaultBHttpClientConnection connection;
  private URI connectedTo;

  LeaderWriter(Target target) {
    this.target = target;
  }

  /**
   * PUTs {@code value} under {@code key} on the leader; true if it answered 200, false on any other
   * answer or an I/O failure (the caller then sends the write through {@link KvClient}; a put that
   * is sent twice may apply twice, harmless for the bench's puts of one value). Never resends a
   * request itself.
   */
  boolean put(String key, byte[] value) {
    URI base = target.leader();
    try {
      DefaultBHttpClientConnection open = connect(base);
      String path = "/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
      BasicClassicHttpRequest request = new BasicClassicHttpRequest("PUT", path);
      request.setHeader(HttpHeaders.HOST, base.getRawAuthority());
      request.setHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(value.length));
      request.setHeader(HttpHeaders.CONTENT_TYPE, ContentType.APPLICATION_OCTET_STREAM.toString());
      request.setEntity(new ByteArrayEntity(value, ContentType.APPLICATION_OCTET_STREAM));
      open.sendRequestHeader(request); // buffered: written with the body by the flush below
      open.sendRequestEntity(request);
      open.flush();
      ClassicHttpResponse response = open.receiveResponseHeader();
      open.receiveResponseEntity(response);
      // Read the answer to its end so the connection can carry the next request.
      HttpEntity entity = response.getEntity();
      if (entity != null) {
        EntityUtils.consume(entity);
      }
      boolean ok = response.getCode() == 200;
      Header connectionHeader = response.getFirstHeader(HttpHeaders.CONNECTION);
      if (!ok
          || (connectionHeader != null && "close".equalsIgnoreCase(connectionHeader.getValue()))) {
        // After a refusal the server may drop the connection without saying so (e.g. a 413 sent
        // before it read the body): the next write starts on a new one.
        close();
      }
      return ok;
    } catch (IOException | HttpException | IllegalArgumentException e) {
      close();
      return false;
    }
  }

  /** The open connection to {@code base}, connecting first if there is none (or another one). */
  private DefaultBHttpClientConnection connect(URI base) throws IOException {
    if (connection != null && connection.isOpen() && base.equals(connectedTo)) {
      return connection;
    }
    close();
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(
          new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort()),
          CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      DefaultBHttpClientConnection opened = new DefaultBHttpClientConnection(Http1Config.DEFAULT);
      opened.bind(socket);
      connection = opened;
      connectedTo = base;
      return opened;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Closes the connection, if one is open; the next put opens a new one. */
  @Override
  public void close() {
    if (connection != null) {
      connection.close(CloseMode.IMMEDIATE);
      connection = null;
      connectedTo = null;
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
