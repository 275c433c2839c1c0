package io.jangada.raft.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.grpc.proto.RaftMessage;
import io.jangada.raft.grpc.proto.RaftTransportGrpc;
import io.jangada.raft.grpc.proto.StreamAck;
import io.jangada.raft.model.NodeId;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Threading: {@link #send} from any thread (a short lock). All calls on the stream observer
 * (open, write) run on one sequential executor, as gRPC requires; {@link #close} shuts the channel
 * down, which cancels the stream from any thread.
 */
final class PeerChannel {

  private static final Logger log = LoggerFactory.getLogger(PeerChannel.class);

  private final NodeId self;
  private final NodeId peer;
  private final Envelope header;
  private final int maxFrameBytes;
  private final ManagedChannel channel;
  private final RaftTransportGrpc.RaftTransportStub stub;
  private final Executor serial;
  private final Executor callbacks;
  private final ScheduledExecutorService timer;
  private final Runnable reportUnreachable;
  private final GrpcTransportMetrics metrics;
  private final int maxQueuedMessages;
  private final long maxQueuedBytes;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean unreachablePending = new AtomicBoolean();

  // Guarded by this.
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private long queuedBytes;
  private ClientCallStreamObserver<Envelope> stream;
  private boolean down;
  private boolean connected; // the current or last stream became ready
  private boolean closed;
  private long backoffNanos;

  private record Queued(RaftMessage message, int size) {}

  PeerChannel(
      NodeId self,
      NodeId peer,
      Envelope header,
      ManagedChannel channel,
      Executor executor,
      ScheduledExecutorService timer,
      Runnable reportUnreachable,
      GrpcTransport.Limits limits,
      GrpcTransportMetrics metrics) {
    this.metrics = metrics;
    this.self = self;
    this.peer = peer;
    this.header = header;
    this.maxFrameBytes = limits.maxFrameBytes();
    this.channel = channel;
    this.stub = RaftTransportGrpc.newStub(channel);
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

  /** Queues {@code message}, which adds {@code size} bytes to a frame, or drops it and reports. */
  void send(RaftMessage message, int size) {
    boolean queued = false;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (!down && queue.size() < maxQueuedMessages && queuedBytes + size <= maxQueuedBytes) {
        queue.add(new Queued(message, size));
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
      queue.clear();
      queuedBytes = 0;
    }
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
    stub.stream(
        new ClientResponseObserver<Envelope, StreamAck>() {
          private ClientCallStreamObserver<Envelope> requests;

          @Override
          public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(PeerChannel.this::scheduleDrain);
            synchronized (PeerChannel.this) {
              stream = requestStream;
              down = false;
            }
          }

          @Override
          public void onNext(StreamAck ack) {}

          @Override
          public void onError(Throwable t) {
            if (log.isTraceEnabled()) {
              log.trace("{}: stream to {} failed", self, peer, t);
            }
            streamEnded(requests, t.toString());
          }

          @Override
          public void onCompleted() {
            streamEnded(requests, "completed by the server");
          }
        });
    scheduleDrain();
  }

  private void streamEnded(ClientCallStreamObserver<Envelope> ended, String why) {
    long delay;
    int lost;
    boolean wasConnected;
    synchronized (this) {
      if (closed || stream != ended) {
        return;
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
      timer.schedule(() -> runSerially(this::openStream), delay, TimeUnit.NANOSECONDS);
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

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      runSerially(
          () -> {
            drainScheduled.set(false);
            drain();
          });
    }
  }

  /**
   * Writes queued messages while the stream is ready, batching what is queued into frames of up to
   * {@code maxFrameBytes} (a larger message goes alone). Runs on the sequential executor.
   */
  private void drain() {
    while (true) {
      ClientCallStreamObserver<Envelope> s;
      Envelope.Builder frame = header.toBuilder();
      synchronized (this) {
        s = stream;
        if (s == null || !s.isReady()) {
          return;
        }
        backoffNanos = initialBackoffNanos; // connected: the next failure retries quickly again
        if (!connected) {
          connected = true;
          log.info("{}: connected to {}", self, peer);
        }
        long frameBytes = 0;
        Queued next;
        while ((next = queue.peek()) != null
            && (frameBytes == 0 || frameBytes + next.size() <= maxFrameBytes)) {
          queue.poll();
          queuedBytes -= next.size();
          frameBytes += next.size();
          frame.addMessages(next.message());
        }
        if (frameBytes == 0) {
          return;
        }
      }
      try {
        s.onNext(frame.build());
      } catch (RuntimeException e) {
        // The call was cancelled concurrently (close or failure); the observer reports it.
        log.debug("{}: write to {} failed: {}", self, peer, e.toString());
        return;
      }
    }
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
