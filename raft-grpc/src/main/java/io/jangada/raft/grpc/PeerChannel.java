package io.jangada.raft.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.jangada.raft.grpc.proto.StreamAck;
import io.jangada.raft.model.NodeId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side towards one peer: one long-lived client-streaming call, a bounded outbound queue
 * and reconnection with exponential backoff and jitter.
 *
 * <p>States: <em>open</em> (a stream exists, possibly still connecting: messages queue up to the
 * limits and are written while the stream {@code isReady()}), and <em>down</em> (the last stream
 * failed and a retry is scheduled: messages are dropped at once). Every drop, for a full queue or a
 * down peer, and every stream failure reports {@link io.jangada.raft.transport.Transport.Inbox
 * #unreachable} (coalesced, on the callback executor). Raft retries, so nothing is buffered beyond
 * the limits and {@link #send} never blocks.
 *
 * <p>Threading: {@link #send} from any thread (a short lock). Writes happen on the thread that
 * queued a message or on the gRPC thread that reports the stream ready, whichever comes first, one
 * thread at a time as gRPC requires ({@link #scheduleDrain}): no hand-off to another thread on the
 * way to Netty. A write never waits for the network (gRPC buffers it; Netty sends it from its event
 * loop). Opening a stream runs on one sequential executor; {@link #close} shuts the channel down,
 * which cancels the stream from any thread.
 */
final class PeerChannel {

  private static final Logger log = LoggerFactory.getLogger(PeerChannel.class);
  private static final Duration TLS_WARN_INTERVAL = Duration.ofSeconds(10);

  private final NodeId self;
  private final NodeId peer;
  private final String address; // host:port, for messages
  private final RecentProblems problems; // the transport's connection problems
  private final String problemKey;
  private final RateLimitedLog tlsWarnings = new RateLimitedLog(log, TLS_WARN_INTERVAL);
  private final byte[] header; // the frame's header fields, serialized
  private final int maxFrameBytes;
  private final ManagedChannel channel;
  private final Executor serial;
  private final Executor callbacks;
  private final ScheduledExecutorService timer;
  private final Runnable reportUnreachable;
  private final GrpcTransportMetrics metrics;
  private final int maxQueuedMessages;
  private final long maxQueuedBytes;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final AtomicInteger drainRequests = new AtomicInteger();
  private final AtomicBoolean unreachablePending = new AtomicBoolean();

  // Guarded by this.
  private final ArrayDeque<OutboundMessage> queue = new ArrayDeque<>();
  private long queuedBytes;
  private ClientCallStreamObserver<OutboundFrame> stream;
  private Opening opening; // the stream being started, not yet published
  private boolean down;
  private boolean connected; // the current or last stream became ready
  private boolean closed;
  private long backoffNanos;
  private ScheduledFuture<?> retry; // the pending reopen while down
  // Whether a reopen waits out a backoff; read without the lock on every inbound frame.
  private volatile boolean waitingToRetry;

  PeerChannel(
      NodeId self,
      NodeId peer,
      String address,
      RecentProblems problems,
      byte[] header,
      ManagedChannel channel,
      Executor executor,
      ScheduledExecutorService timer,
      Runnable reportUnreachable,
      GrpcTransport.Limits limits,
      GrpcTransportMetrics metrics) {
    this.metrics = metrics;
    this.self = self;
    this.peer = peer;
    this.address = address;
    this.problems = problems;
    this.problemKey = "tls:" + peer.value() + "@" + address;
    this.header = header;
    this.maxFrameBytes = limits.maxFrameBytes();
    this.channel = channel;
    this.serial = MoreExecutors.newSequentialExecutor(executor);
    this.callbacks = executor;
    this.timer = timer;
    this.reportUnreachable = reportUnreachable;
    this.maxQueuedMessages = limits.maxQueuedMessages();
    this.maxQueuedBytes = limits.maxQueuedBytes();
    this.initialBackoffNanos = limits.initialBackoff().toNanos();
    this.maxBackoffNanos = limits.maxBackoff().toNanos();
    this.backoffNanos = initialBackoffNanos;
  }

  /** Opens the first stream (asynchronously). */
  void start() {
    runSerially(this::openStream);
  }

  /** Queues {@code message} or drops it and reports. */
  void send(OutboundMessage message) {
    boolean queued = false;
    int size = message.size();
    synchronized (this) {
      if (closed) {
        return;
      }
      if (!down && queue.size() < maxQueuedMessages && queuedBytes + size <= maxQueuedBytes) {
        queue.add(message);
        queuedBytes += size;
        queued = true;
      }
    }
    if (queued) {
      scheduleDrain();
    } else {
      count(() -> metrics.messageDropped(self, peer));
      reportUnreachable();
    }
  }

  /**
   * The peer was heard from (a valid frame arrived from it): if the stream to it is down and waits
   * for its backoff, reopen it now with the backoff reset. Any thread; cheap when connected.
   */
  void peerIsAlive() {
    if (!waitingToRetry) {
      return;
    }
    synchronized (this) {
      if (closed || !down || retry == null || !retry.cancel(false)) {
        return;
      }
      retry = null;
      waitingToRetry = false;
      backoffNanos = initialBackoffNanos;
    }
    log.debug("{}: heard from {}; reconnecting now instead of after the backoff", self, peer);
    runSerially(this::openStream);
  }

  /** Messages waiting in the outbound queue (for tests and metrics). */
  synchronized int queuedMessages() {
    return queue.size();
  }

  /** Bytes waiting in the outbound queue (for tests and metrics). */
  synchronized long queuedBytes() {
    return queuedBytes;
  }

  /** Cancels the stream, drops the queue and shuts the channel down. Idempotent. */
  void close() {
    synchronized (this) {
      closed = true;
      stream = null;
      opening = null;
      queue.clear();
      queuedBytes = 0;
    }
    problems.forget(problemKey);
    channel.shutdownNow();
  }

  /** Waits up to {@code millis} for the channel to terminate. */
  void awaitTermination(long millis) throws InterruptedException {
    channel.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }

  private void openStream() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    channel.resetConnectBackoff(); // our own backoff decides when to retry, not the channel's
    Opening opening = new Opening();
    synchronized (this) {
      this.opening = opening;
    }
    ClientCalls.asyncClientStreamingCall(
        channel.newCall(OutboundFrame.METHOD, CallOptions.DEFAULT), opening);
    // Published only now that the call is started: drains run on any thread and write at once.
    synchronized (this) {
      if (this.opening == opening) { // not closed and not failed meanwhile
        this.opening = null;
        stream = opening.requests;
        down = false;
      }
    }
    scheduleDrain();
  }

  /** The response side of one stream, and its request side once gRPC hands it over. */
  private final class Opening implements ClientResponseObserver<OutboundFrame, StreamAck> {
    private ClientCallStreamObserver<OutboundFrame> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<OutboundFrame> requestStream) {
      this.requests = requestStream;
      requestStream.setOnReadyHandler(PeerChannel.this::scheduleDrain);
    }

    @Override
    public void onNext(StreamAck ack) {}

    @Override
    public void onError(Throwable t) {
      if (log.isTraceEnabled()) {
        log.trace("{}: stream to {} failed", self, peer, t);
      }
      TlsFailure.describe(t).ifPresent(PeerChannel.this::tlsFailed);
      streamEnded(this, t.toString());
    }

    @Override
    public void onCompleted() {
      streamEnded(this, "completed by the server");
    }
  }

  /**
   * The TLS handshake failed: the peer stays unreachable until the configuration changes, so say
   * why (rate-limited) and show it in the transport's problems until a stream works again.
   */
  private void tlsFailed(String why) {
    String text = "TLS handshake with " + peer + " at " + address + " failed: " + why;
    synchronized (this) {
      if (closed) {
        return;
      }
      problems.record(problemKey, text); // under the lock: close() forgets it after closing
    }
    tlsWarnings.warn(self + ": " + text);
  }

  private void streamEnded(Opening ended, String why) {
    long delay;
    int lost;
    boolean wasConnected;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (opening == ended) {
        opening = null; // failed before it was published
      } else if (stream == null || stream != ended.requests) {
        return; // an older stream
      }
      wasConnected = connected;
      connected = false;
      stream = null;
      down = true;
      lost = queue.size();
      queue.clear();
      queuedBytes = 0;
      delay = backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1);
      backoffNanos = Math.min(maxBackoffNanos, backoffNanos * 2);
    }
    if (wasConnected) {
      log.info("{}: lost the stream to {} ({}); reconnecting with backoff", self, peer, why);
    }
    log.debug(
        "{}: stream to {} ended ({}); {} queued messages dropped; retry in {} ms",
        self,
        peer,
        why,
        lost,
        TimeUnit.NANOSECONDS.toMillis(delay));
    count(() -> metrics.reconnecting(self, peer));
    reportUnreachable();
    try {
      synchronized (this) {
        retry =
            timer.schedule(
                () -> {
                  synchronized (this) {
                    retry = null;
                    waitingToRetry = false;
                  }
                  runSerially(this::openStream);
                },
                delay,
                TimeUnit.NANOSECONDS);
        waitingToRetry = true;
      }
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void count(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      log.debug("{}: a GrpcTransportMetrics hook threw; ignored", self, e);
    }
  }

  /**
   * Drains now, on the calling thread, unless another thread is draining: then that thread drains
   * once more when it is done, so nothing queued is left behind and no two threads write to the
   * stream at once. No hand-off to another thread, no task object.
   */
  private void scheduleDrain() {
    if (drainRequests.getAndIncrement() != 0) {
      return;
    }
    int requests = 1;
    boolean finished = false;
    try {
      do {
        try {
          drain();
        } catch (RuntimeException e) {
          log.warn("{}: writing to {} failed", self, peer, e);
        }
        requests = drainRequests.addAndGet(-requests);
      } while (requests != 0);
      finished = true;
    } finally {
      if (!finished) {
        drainRequests.set(0); // an Error escaped: never leave the channel unable to drain
      }
    }
  }

  /**
   * Writes queued messages while the stream is ready, batching what is queued into frames of up to
   * {@code maxFrameBytes} (a larger message goes alone). One thread at a time ({@link
   * #scheduleDrain}).
   */
  private void drain() {
    while (true) {
      ClientCallStreamObserver<OutboundFrame> s;
      synchronized (this) {
        s = stream;
      }
      // Asked outside our lock: gRPC takes its own lock, and calls us back (onReady) without ours.
      if (s == null || !s.isReady()) {
        return;
      }
      OutboundFrame frame;
      synchronized (this) {
        if (stream != s) {
          return; // closed or replaced meanwhile; its successor drains itself
        }
        backoffNanos = initialBackoffNanos; // connected: the next failure retries quickly again
        if (!connected) {
          connected();
        }
        if (queue.isEmpty()) {
          return;
        }
        List<OutboundMessage> batch;
        long frameBytes;
        if (queue.size() == 1) { // the usual case: one message, no list to grow
          OutboundMessage only = queue.poll();
          queuedBytes -= only.size();
          frameBytes = only.size();
          batch = List.of(only);
        } else {
          batch = new ArrayList<>(Math.min(queue.size(), 64));
          frameBytes = 0;
          OutboundMessage next;
          while ((next = queue.peek()) != null
              && (frameBytes == 0 || frameBytes + next.size() <= maxFrameBytes)) {
            queue.poll();
            queuedBytes -= next.size();
            frameBytes += next.size();
            batch.add(next);
          }
        }
        frame = new OutboundFrame(header, batch, header.length + (int) frameBytes);
      }
      try {
        s.onNext(frame);
      } catch (RuntimeException e) {
        // The call was cancelled concurrently (close or failure); the observer reports it.
        log.debug("{}: write to {} failed: {}", self, peer, e.toString());
        return;
      }
    }
  }

  // Out of line from drain (once per connection). Holds the lock.
  private void connected() {
    connected = true;
    problems.forget(problemKey);
    log.info("{}: connected to {}", self, peer);
  }

  private void reportUnreachable() {
    if (unreachablePending.compareAndSet(false, true)) {
      try {
        callbacks.execute(
            () -> {
              unreachablePending.set(false);
              synchronized (this) {
                if (closed) {
                  return;
                }
              }
              reportUnreachable.run();
            });
      } catch (RejectedExecutionException e) {
        unreachablePending.set(false); // closing
      }
    }
  }

  private void runSerially(Runnable task) {
    try {
      serial.execute(task);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }
}
