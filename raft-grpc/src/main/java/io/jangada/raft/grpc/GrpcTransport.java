package io.jangada.raft.grpc;

import com.google.common.net.HostAndPort;
import io.grpc.ChannelCredentials;
import io.jangada.raft.RaftNode;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network {@link Transport} on gRPC (Netty, HTTP/2) and Protocol Buffers.
 *
 * <pre>{@code
 * GrpcTransport transport = GrpcTransport.builder()
 *     .self(NodeId.of("n1")).clusterId("orders")
 *     .listen("10.0.0.1:7001")
 *     .peer(NodeId.of("n2"), "10.0.0.2:7001")
 *     .peer(NodeId.of("n3"), "10.0.0.3:7001")
 *     .build();
 * }</pre>
 *
 * <p>Wire: each node keeps one long-lived client-streaming call to each peer and sends all of that
 * peer's messages on it, in order; what is queued when the stream is ready goes as one frame (up to
 * 256 KiB). Every frame carries the cluster id, the sender's id and the address it advertises; the
 * receiver rejects (logs, rate-limited, and drops) frames of another cluster, that do not parse, or
 * (only with {@code acceptUnknownSenders(false)}) from a node that is not a peer, and messages
 * whose {@code from} differs from the frame's sender, that are addressed to another node, or that
 * do not decode. A rejection never ends the stream.
 *
 * <p>Flow control: each peer has a bounded outbound queue ({@link Builder#maxQueuedMessages},
 * {@link Builder#maxQueuedBytes}); messages are written only while gRPC reports the stream ready,
 * so large snapshot chunks follow HTTP/2 flow control. When the queue is full, or the peer is down
 * and waiting for a reconnect, {@link #send} drops the message and reports {@link
 * Transport.Inbox#unreachable}; it never blocks. A failed stream is reopened with exponential
 * backoff and jitter ({@link Builder#reconnectBackoff}), or at once when a valid frame from that
 * peer arrives (it is evidently up again, e.g. restarted).
 *
 * <p>Diagnostics: {@link #peers()} lists the configured peers (the node refuses to start if a
 * member of its configuration is missing) and {@link #problems()} the other clusters and unknown
 * senders whose frames were rejected in the last minute (shown in {@code RaftStatus.problems()}).
 *
 * <p>Security: plain text by default; {@link Builder#tls} enables TLS and {@link
 * Builder#clientCertificate} mutual TLS.
 *
 * <p>Peers: configured in the builder, changed at run time with {@link #addPeer}, {@link
 * #removePeer} and {@link #setPeers}, and, inside a {@code RaftNode}, taken from the replicated
 * configuration ({@link #membershipChanged}), so they follow membership changes by themselves. A
 * sender this node does not know yet is heard (see {@link Builder#acceptUnknownSenders}) and
 * answered at the address its frames announce.
 *
 * <p>Thread-safety: all methods may be called from any thread. The inbox is called on the
 * transport's network threads (messages of one peer serially, in order) and, for {@code
 * unreachable}, on the transport's executor.
 */
public final class GrpcTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(GrpcTransport.class);

  /** Queue, frame and reconnect limits, shared with {@link PeerChannel}. */
  record Limits(
      int maxQueuedMessages,
      long maxQueuedBytes,
      int maxFrameBytes,
      Duration initialBackoff,
      Duration maxBackoff) {}

  /** A batch stops growing at this size (a larger single message still goes alone). */
  private static final int BATCH_BYTES = 256 * 1024;

  /** The longest advertised {@code host:port}. */
  private static final int MAX_ADDRESS_CHARS = 300;

  private final NodeId self;
  private final String clusterId;
  private final InetSocketAddress listen;
  private final PeerSet peers;
  private final PeerDirectory directory; // what the peer set should hold
  private final int maxMessageSize;
  private final Optional<HostAndPort> advertised;
  private volatile Envelope header; // cluster id, sender and its address, without messages
  private final Limits limits;
  private final Optional<Executor> userExecutor;
  private final Optional<TlsMaterial> tls;
  private final RateLimitedLog dropLog = new RateLimitedLog(log);
  // Outbound connection problems (TLS handshakes that fail), one per peer, cleared on connect.
  private final RecentProblems connectionProblems =
      new RecentProblems(TimeUnit.MINUTES.toNanos(1), System::nanoTime);
  private final GrpcTransportMetrics metrics;
  // The client service, attached by serveClients (before or after start).
  private final ClientServiceRegistry clientServices = new ClientServiceRegistry();

  // Guarded by this.
  private boolean started;
  private volatile boolean closed;
  private TransportServer server;
  private RaftGrpcService service;
  private ExecutorService ownedExecutor;
  private ScheduledExecutorService timer;
  private volatile Executor executor;
  private volatile Inbox inbox;

  private GrpcTransport(Builder b) {
    this.self = b.self;
    this.clusterId = b.clusterId;
    this.listen = b.listen;
    this.peers = new PeerSet(b.self, b.peers);
    this.directory =
        new PeerDirectory(b.self, peers, b.acceptUnknownSenders, () -> closed, dropLog);
    this.maxMessageSize = b.maxMessageSize;
    this.advertised = Optional.ofNullable(b.advertise);
    // The address is filled in at start (the port may be chosen then); reserve room for it.
    this.header =
        Envelope.newBuilder()
            .setClusterId(b.clusterId)
            .setSender(b.self.value())
            .setSenderAddress("x".repeat(MAX_ADDRESS_CHARS))
            .build();
    this.limits =
        new Limits(
            b.maxQueuedMessages,
            // a maximal message must fit in an empty queue
            Math.max(b.maxQueuedBytes, b.maxMessageSize),
            // a frame (header + batch) must stay within the receiver's maxMessageSize
            Math.min(BATCH_BYTES, b.maxMessageSize - header.getSerializedSize()),
            b.initialBackoff,
            b.maxBackoff);
    this.userExecutor = Optional.ofNullable(b.executor);
    this.metrics = b.metrics;
    this.tls = b.tls.material();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the listen address and starts connecting to the peers (in the background).
   *
   * @throws IOException naming the address if it cannot be bound (e.g. the port is in use) or the
   *     TLS material cannot be loaded; the transport is then closed
   * @throws IllegalStateException if already started or closed
   */
  @Override
  public synchronized void start(Inbox inbox) throws IOException {
    Objects.requireNonNull(inbox, "inbox");
    if (started || closed) {
      throw new IllegalStateException(
          self + ": transport already " + (closed ? "closed" : "started"));
    }
    started = true;
    this.inbox = inbox;
    Executor executor = userExecutor.orElseGet(() -> ownedExecutor = newOwnedExecutor());
    this.executor = executor;
    timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("jangada-grpc-timer-" + self));
    service =
        new RaftGrpcService(self, clusterId, directory, inbox, metrics, directory::trafficFrom);
    try {
      server =
          new TransportServer(
              listen,
              tls,
              new AcceptedHandshakes(self.value()),
              executor,
              maxMessageSize,
              service,
              clientServices);
      server.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw new IOException(self + ": cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    ChannelCredentials credentials;
    try {
      credentials = TlsMaterial.channelCredentials(tls);
    } catch (IOException | RuntimeException e) {
      close();
      throw new IOException(self + ": cannot load the client TLS material: " + e.getMessage(), e);
    }
    Envelope.Builder headerBuilder =
        Envelope.newBuilder().setClusterId(clusterId).setSender(self.value());
    server.advertised(advertised).ifPresent(a -> headerBuilder.setSenderAddress(a.toString()));
    header = headerBuilder.build();
    PeerDialer dialer =
        new PeerDialer(
            self,
            credentials,
            maxMessageSize,
            header,
            connectionProblems,
            executor,
            timer,
            this::reportUnreachable,
            limits,
            metrics);
    peers.start(dialer::open);
    log.info(
        "{}: listening on {}, advertising {}, peers {}",
        self,
        boundAddress(),
        header.getSenderAddress().isEmpty() ? "no address" : header.getSenderAddress(),
        peers);
  }

  /**
   * Adds a peer at run time, e.g. after a membership change: from now on messages to it are sent
   * and frames from it are accepted. Before {@link #start} it is the same as {@link Builder#peer}.
   * A peer learned from its frames becomes a configured one (at {@code address}).
   *
   * @throws IllegalArgumentException if {@code id} is this node or already a configured peer, or
   *     the port is 0
   * @throws IllegalStateException if the transport is closed
   */
  public void addPeer(NodeId id, InetSocketAddress address) {
    Objects.requireNonNull(id, "id");
    directory.add(id, Builder.remote(address));
  }

  /**
   * Removes a peer at run time: its stream is closed, messages to it are dropped (reported
   * unreachable) and, unless {@link Builder#acceptUnknownSenders} is on, frames from it are
   * rejected. Does nothing if {@code id} is not a peer.
   */
  public void removePeer(NodeId id) {
    Objects.requireNonNull(id, "id");
    directory.remove(id);
  }

  /**
   * The current peers: configured, set by {@link #setPeers} or learned from the configuration
   * ({@link #membershipChanged}) and from inbound frames.
   */
  @Override
  public Optional<Set<NodeId>> peers() {
    return Optional.of(Set.copyOf(peers.addresses().keySet()));
  }

  /**
   * Frames rejected in the last minute because they came from another cluster or from a node that
   * is not a configured peer, one line per cluster and sender; and peers whose TLS handshake fails
   * (e.g. {@code TLS handshake with n2 at 10.0.0.2:7001 failed: certificate not trusted by our CA
   * (…)}), one line per peer, until a connection to it works again.
   */
  @Override
  public List<String> problems() {
    RaftGrpcService s = service;
    List<String> result = new ArrayList<>(connectionProblems.current());
    if (s != null) {
      result.addAll(s.problems());
    }
    result.sort(null);
    return result;
  }

  /**
   * Makes the peer set exactly {@code peers} ({@code host:port} addresses; this node is skipped if
   * present). Reconciles: a peer whose address is unchanged keeps its stream and queued messages, a
   * peer no longer listed is closed, one whose address changed is reconnected at the new address.
   * Peers learned from inbound frames and not listed are dropped.
   *
   * <p>Thread: any. Blocking: never waits for the network.
   *
   * @throws IllegalArgumentException if an address is not {@code host:port} (port 1 to 65535);
   *     nothing changes then
   * @throws IllegalStateException if the transport is closed
   */
  public void setPeers(Map<NodeId, String> peers) {
    directory.set(peers);
  }

  /**
   * Follows the replicated configuration: the peers become its members (voters, learners and,
   * during a joint change, outgoing voters) other than this node, at the addresses it records; a
   * member without an address (or with one that is not {@code host:port}, logged) keeps the address
   * known so far, if any. An empty configuration (a joining node) changes nothing. Unchanged peers
   * keep their streams; see {@link #setPeers}.
   */
  @Override
  public void membershipChanged(Membership membership) {
    directory.follow(membership);
  }

  /** The current peers and their addresses ({@code host:port}), configured and learned. */
  public Map<NodeId, String> peerAddresses() {
    return directory.addresses();
  }

  /**
   * Queues {@code message} for {@code message.to()}. Never blocks and never throws on network
   * failure: a message that cannot be queued is dropped and {@code unreachable(to)} reported. A
   * message not from this node, or to a node that is not a configured peer, is dropped (logged);
   * the latter is also reported unreachable. Before {@link #start} and after {@link #close},
   * messages are dropped silently.
   */
  @Override
  public void send(Message message) {
    Objects.requireNonNull(message, "message");
    if (closed || inbox == null) {
      return;
    }
    if (!message.from().equals(self)) {
      dropLog.warn(self + ": dropping a message whose from is " + message.from());
      return;
    }
    PeerChannel peer = peers.channel(message.to());
    if (peer == null) {
      dropLog.warn(self + ": dropping a message to " + message.to() + ": not a configured peer");
      reportUnreachableLater(message.to());
      return;
    }
    OutboundMessage encoded;
    try {
      encoded = OutboundMessage.of(message);
    } catch (RuntimeException e) {
      log.error("{}: cannot encode {}", self, message.getClass().getSimpleName(), e);
      return;
    }
    // What this message adds to a frame: its tag, length and bytes.
    int size = encoded.size();
    if (header.getSerializedSize() + size > maxMessageSize) {
      dropLog.warn(
          self
              + ": dropping a "
              + size
              + "-byte "
              + message.getClass().getSimpleName()
              + " to "
              + message.to()
              + ": larger than maxMessageSize "
              + maxMessageSize);
      reportUnreachableLater(message.to());
      return;
    }
    peer.send(encoded);
  }

  /**
   * The address the server is bound to (with the real port when the listen port was 0).
   *
   * @throws IllegalStateException if not started, or closed
   */
  public synchronized InetSocketAddress boundAddress() {
    if (server == null || closed) {
      throw new IllegalStateException(self + ": transport is not running");
    }
    return server.boundAddress();
  }

  /**
   * Serves the client protocol ({@code RaftClientService}, used by {@link RaftClient}) for {@code
   * node} on this transport's server: the same address, TLS and message size limit as the Raft
   * traffic, and requests naming another cluster id are refused. Submissions are session commands
   * ({@code RaftNode.propose(Bytes, SessionInfo)}), so a follower forwards them to the leader (if
   * the node forwards, the default); otherwise, and for reads that need the leader, it answers with
   * the leader's id and address for the client to redirect. May be called before or after {@link
   * #start}; calling it again replaces the node.
   *
   * @param maxCommandBytes commands larger than this are refused as too large; use the node's
   *     {@code maxProposalBytes}
   */
  public void serveClients(RaftNode node, int maxCommandBytes) {
    Objects.requireNonNull(node, "node");
    clientServices.set(
        new RaftClientGrpcService(node, clusterId, maxCommandBytes, this::clientAddress)
            .bindService());
  }

  /** {@link #serveClients(RaftNode, int)} with the default {@code maxProposalBytes} (1 MiB). */
  public void serveClients(RaftNode node) {
    serveClients(node, RaftNode.Builder.DEFAULT_MAX_PROPOSAL_BYTES);
  }

  /** The address clients reach {@code id} at: a peer's configured one, or this server's. */
  synchronized Optional<String> clientAddress(NodeId id) {
    if (id.equals(self)) {
      if (server == null || closed) {
        return Optional.empty();
      }
      return Optional.of(server.clientAddress());
    }
    return Optional.ofNullable(peers.addresses().get(id)).map(HostAndPort::toString);
  }

  /** This node's id. */
  public NodeId self() {
    return self;
  }

  /**
   * Stops the server, cancels every stream and releases the threads this transport created.
   * Idempotent. Waits up to about 2 s for connections to close.
   */
  @Override
  public void close() {
    TransportServer s;
    List<PeerChannel> channels;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
      channels = peers.close();
      if (service != null) {
        service.close();
      }
    }
    channels.forEach(PeerChannel::close);
    if (s != null) {
      s.shutdownNow();
    }
    try {
      for (PeerChannel channel : channels) {
        channel.awaitTermination(1000);
      }
      if (s != null) {
        s.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (timer != null) {
      timer.shutdownNow();
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
  }

  /** Frames this transport's server rejected (tests, metrics). */
  long rejectedFrames() {
    RaftGrpcService s = service;
    return s == null ? 0 : s.rejectedCount();
  }

  /** Messages queued for {@code peer} (tests, metrics). */
  int queuedMessages(NodeId peer) {
    PeerChannel channel = peers.channel(peer);
    return channel == null ? 0 : channel.queuedMessages();
  }

  /** Bytes queued for {@code peer} (tests, metrics). */
  long queuedBytes(NodeId peer) {
    PeerChannel channel = peers.channel(peer);
    return channel == null ? 0 : channel.queuedBytes();
  }

  /** Reports on the executor, never inline in {@code send}, so the caller is not re-entered. */
  private void reportUnreachableLater(NodeId peer) {
    try {
      executor.execute(() -> reportUnreachable(peer));
    } catch (RuntimeException e) {
      // the executor is shutting down (closing) or rejects work: nothing to report to
    }
  }

  private void reportUnreachable(NodeId peer) {
    Inbox target = inbox;
    if (closed || target == null) {
      return;
    }
    try {
      target.unreachable(peer);
    } catch (RuntimeException e) {
      log.error("{}: inbox threw on unreachable({})", self, peer, e);
    }
  }

  private ExecutorService newOwnedExecutor() {
    return Executors.newCachedThreadPool(daemonThreads("jangada-grpc-" + self));
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Configures a {@link GrpcTransport}. Required: {@link #self}, {@link #clusterId}, {@link
   * #listen}. A builder may build several transports (e.g. to restart a node on the same port). Not
   * thread-safe.
   */
  public static final class Builder {
    private NodeId self;
    private String clusterId;
    private InetSocketAddress listen;
    private final Map<NodeId, HostAndPort> peers = new TreeMap<>();
    private HostAndPort advertise;
    private boolean acceptUnknownSenders = true;
    private int maxMessageSize = 16 * 1024 * 1024;
    private int maxQueuedMessages = 4096;
    private long maxQueuedBytes = 64L * 1024 * 1024;
    private Duration initialBackoff = Duration.ofMillis(50);
    private Duration maxBackoff = Duration.ofSeconds(2);
    private Executor executor;
    private GrpcTransportMetrics metrics = new GrpcTransportMetrics() {};
    private final TlsMaterial.Settings tls = new TlsMaterial.Settings();

    private Builder() {}

    /** This node's id (required). */
    public Builder self(NodeId self) {
      this.self = Objects.requireNonNull(self, "self");
      return this;
    }

    /**
     * The cluster's id (required, non-blank, at most 256 characters): frames carrying another
     * cluster id are rejected, so two clusters sharing hosts cannot mix.
     */
    public Builder clusterId(String clusterId) {
      Objects.requireNonNull(clusterId, "clusterId");
      if (clusterId.isBlank() || clusterId.length() > 256) {
        throw new IllegalArgumentException("clusterId must be 1 to 256 characters, not blank");
      }
      this.clusterId = clusterId;
      return this;
    }

    /** The address to listen on (required); port 0 picks a free port, see {@link #boundAddress}. */
    public Builder listen(InetSocketAddress address) {
      this.listen = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The address to listen on as {@code host:port} (IPv6 as {@code [::1]:7001}). */
    public Builder listen(String hostAndPort) {
      HostAndPort hp = parse(hostAndPort);
      return listen(new InetSocketAddress(hp.getHost(), hp.getPort()));
    }

    /**
     * A peer and the address its transport listens on.
     *
     * @throws IllegalArgumentException if {@code id} is this node or was already added, or the port
     *     is 0
     */
    public Builder peer(NodeId id, InetSocketAddress address) {
      return peer(id, remote(address));
    }

    /**
     * A peer and its address as {@code host:port}.
     *
     * @throws IllegalArgumentException if {@code id} is this node or was already added, or the
     *     address is not {@code host:port} with a port from 1 to 65535
     */
    public Builder peer(NodeId id, String hostAndPort) {
      return peer(id, parseRemote(hostAndPort));
    }

    private Builder peer(NodeId id, HostAndPort address) {
      Objects.requireNonNull(id, "id");
      if (id.equals(self)) {
        throw new IllegalArgumentException("peer " + id + " is this node itself");
      }
      if (peers.containsKey(id)) {
        throw new IllegalArgumentException("duplicate peer " + id);
      }
      peers.put(id, address);
      return this;
    }

    /**
     * The {@code host:port} other nodes reach this one at, announced in every frame (default: the
     * listen address with its bound port, or none if it is a wildcard such as {@code 0.0.0.0}). A
     * node that does not know this one yet replies there, which is how a node joining a running
     * cluster answers a leader that is not in its (still empty) configuration.
     */
    public Builder advertise(String hostAndPort) {
      if (hostAndPort.length() > MAX_ADDRESS_CHARS) {
        throw new IllegalArgumentException("advertised address longer than " + MAX_ADDRESS_CHARS);
      }
      this.advertise = parse(hostAndPort);
      return this;
    }

    /**
     * Whether frames of this cluster from a sender that is not a peer are accepted (default {@code
     * true}); the sender's announced address then becomes a learned peer until the next {@link
     * GrpcTransport#setPeers} or configuration change. Needed when membership changes: a joining
     * node hears from a leader it does not know yet, and a lagging node may hear from a leader
     * added after its newest configuration. With {@code false} only configured peers are heard (a
     * cluster whose membership never changes); the cluster id (and mutual TLS) remain the identity
     * check either way.
     */
    public Builder acceptUnknownSenders(boolean accept) {
      this.acceptUnknownSenders = accept;
      return this;
    }

    /** The largest frame sent or accepted, in bytes (default 16 MiB). */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxMessageSize must be >= 1024, got " + bytes);
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /** The most messages queued per peer before sends are dropped (default 4096). */
    public Builder maxQueuedMessages(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("maxQueuedMessages must be >= 1, got " + count);
      }
      this.maxQueuedMessages = count;
      return this;
    }

    /** The most encoded bytes queued per peer before sends are dropped (default 64 MiB). */
    public Builder maxQueuedBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxQueuedBytes must be >= 1, got " + bytes);
      }
      this.maxQueuedBytes = bytes;
      return this;
    }

    /** Reconnect delays: start at {@code initial}, double per failure up to {@code max}, ±50 %. */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Counting hooks (rejected frames, reconnects, dropped messages); default none. */
    public Builder metrics(GrpcTransportMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * The executor for stream (re)opening, {@code unreachable} reports and gRPC's own server work
     * (default: a cached pool of daemon threads owned and shut down by the transport). A user
     * executor is not shut down. Neither Raft traffic nor the client service ({@link
     * #serveClients}) runs on it: frames are written by the sending thread and decoded and
     * delivered on gRPC's network threads, and client requests are handed to the node there.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Enables TLS: the server presents {@code certChainPem} with {@code privateKeyPem} (PKCS#8),
     * and connections to peers trust the CA certificates in {@code trustedCaPem}. The peers'
     * certificates must name the host used in their address (a SAN entry).
     *
     * @throws UncheckedIOException if a file cannot be read
     * @throws IllegalArgumentException naming the file if it is not PEM, the key is not an
     *     unencrypted PKCS#8 key or does not belong to the certificate
     */
    public Builder tls(Path certChainPem, Path privateKeyPem, Path trustedCaPem) {
      tls.server(certChainPem, privateKeyPem, trustedCaPem);
      return this;
    }

    /**
     * As {@link #tls(Path, Path, Path)}, reading (not closing) the streams now.
     *
     * @throws IllegalArgumentException if the material is not PEM, the key is not an unencrypted
     *     PKCS#8 key or does not belong to the certificate
     */
    public Builder tls(
        InputStream certChainPem, InputStream privateKeyPem, InputStream trustedCaPem) {
      tls.server(certChainPem, privateKeyPem, trustedCaPem);
      return this;
    }

    /**
     * Enables mutual TLS (requires {@link #tls}): connections to peers present this certificate,
     * and this node's server accepts only clients whose certificate the trusted CA signed.
     *
     * @throws UncheckedIOException if a file cannot be read
     * @throws IllegalArgumentException naming the file if it is not PEM, the key is not an
     *     unencrypted PKCS#8 key or does not belong to the certificate
     */
    public Builder clientCertificate(Path certChainPem, Path privateKeyPem) {
      tls.client(certChainPem, privateKeyPem);
      return this;
    }

    /**
     * As {@link #clientCertificate(Path, Path)}, reading (not closing) the streams now.
     *
     * @throws IllegalArgumentException if the material is not PEM, the key is not an unencrypted
     *     PKCS#8 key or does not belong to the certificate
     */
    public Builder clientCertificate(InputStream certChainPem, InputStream privateKeyPem) {
      tls.client(certChainPem, privateKeyPem);
      return this;
    }

    /**
     * A new transport (not started).
     *
     * @throws IllegalStateException if self, clusterId or the listen address is missing, self is
     *     also a peer, two peers have the same address or a peer has this node's listen address, or
     *     a client certificate is given without {@link #tls}
     */
    public GrpcTransport build() {
      if (self == null) {
        throw new IllegalStateException("self (this node's id) is required");
      }
      if (clusterId == null) {
        throw new IllegalStateException("clusterId is required");
      }
      if (listen == null) {
        throw new IllegalStateException(self + ": a listen address is required");
      }
      if (peers.containsKey(self)) {
        throw new IllegalStateException("peer " + self + " is this node itself");
      }
      checkDistinctAddresses();
      tls.check();
      return new GrpcTransport(this);
    }

    /**
     * {@link #parse}, for an address to connect to: port 0 means "any free port" only to {@link
     * #listen}; nothing can be reached there.
     */
    static HostAndPort parseRemote(String hostAndPort) {
      HostAndPort hp = parse(hostAndPort);
      if (hp.getPort() == 0) {
        throw new IllegalArgumentException(
            "not an address to connect to: '"
                + hostAndPort
                + "': port 0 picks a free port only for listen; give the port the node listens on");
      }
      return hp;
    }

    /** {@link #parseRemote} for a socket address. */
    static HostAndPort remote(InetSocketAddress address) {
      Objects.requireNonNull(address, "address");
      return parseRemote(
          HostAndPort.fromParts(address.getHostString(), address.getPort()).toString());
    }

    /**
     * Each node listens on an address of its own: two peers at one address, or a peer at this
     * node's listen address, is a copy-paste slip that would send one node's messages to another,
     * which rejects them as misaddressed (logged there, not here).
     */
    private void checkDistinctAddresses() {
      HostAndPort own = HostAndPort.fromParts(listen.getHostString(), listen.getPort());
      Map<HostAndPort, NodeId> byAddress = new java.util.HashMap<>();
      for (Map.Entry<NodeId, HostAndPort> peer : peers.entrySet()) {
        NodeId other = byAddress.putIfAbsent(peer.getValue(), peer.getKey());
        if (other != null) {
          throw new IllegalStateException(
              self
                  + ": peers "
                  + other
                  + " and "
                  + peer.getKey()
                  + " have the same address "
                  + peer.getValue()
                  + "; each node needs its own");
        }
        if (peer.getValue().equals(own)) {
          throw new IllegalStateException(
              self
                  + ": peer "
                  + peer.getKey()
                  + " has this node's own listen address "
                  + own
                  + "; each node needs its own");
        }
      }
    }

    static HostAndPort parse(String hostAndPort) {
      Objects.requireNonNull(hostAndPort, "hostAndPort");
      try {
        HostAndPort hp = HostAndPort.fromString(hostAndPort);
        if (!hp.hasPort()) {
          throw new IllegalArgumentException("missing port in '" + hostAndPort + "'");
        }
        return hp;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "not a host:port address: '" + hostAndPort + "': " + e.getMessage(), e);
      }
    }
  }
}
