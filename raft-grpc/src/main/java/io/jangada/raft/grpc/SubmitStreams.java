package io.jangada.raft.grpc;

import io.grpc.Channel;
import io.jangada.raft.grpc.proto.SubmitRequest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A {@link RaftClient}'s {@link SubmitStream}s: one per endpoint, opened on first use and again
 * after one broke, and the periodic check of their calls' timeouts (on the client's timer, every
 * {@code attemptTimeout / 10}, at least every 10 ms and at most every 500 ms). Endpoints that
 * answered UNIMPLEMENTED (nodes of an older version) are remembered and get no stream again.
 *
 * <p>Thread-safe; {@link #send} never blocks beyond a stream's short write lock.
 */
final class SubmitStreams {

  private final Function<String, Channel> channels;
  private final ScheduledExecutorService timer;
  private final long expiryPeriodNanos;
  private final ConcurrentHashMap<String, SubmitStream> streams = new ConcurrentHashMap<>();
  private final Set<String> unaryOnly = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean expiring = new AtomicBoolean();

  /**
   * @param channels the channel to an endpoint (may throw if the client is closed)
   */
  SubmitStreams(
      Function<String, Channel> channels, ScheduledExecutorService timer, Duration attemptTimeout) {
    this.channels = channels;
    this.timer = timer;
    this.expiryPeriodNanos =
        Math.max(
            TimeUnit.MILLISECONDS.toNanos(10),
            Math.min(TimeUnit.MILLISECONDS.toNanos(500), attemptTimeout.toNanos() / 10));
  }

  /**
   * Sends a submission on {@code endpoint}'s stream (opening one if needed); false if the endpoint
   * does not serve streams or no stream could take it (the caller sends a unary call instead).
   */
  boolean send(
      String endpoint, SubmitRequest.Builder request, SubmitStream.Call call, long deadlineNanos) {
    if (unaryOnly.contains(endpoint)) {
      return false;
    }
    for (int tries = 0; tries < 2; tries++) {
      SubmitStream stream = streams.get(endpoint);
      if (stream == null) {
        stream =
            streams.compute(
                endpoint,
                (e, old) ->
                    old != null && !old.isBroken() ? old : SubmitStream.open(channels.apply(e)));
        startExpiring();
      }
      if (stream.send(request, call, deadlineNanos)) {
        return true;
      }
      streams.remove(endpoint, stream); // broken: the next try opens a new one
    }
    return false;
  }

  /** {@code endpoint} does not serve SubmitStream: unary calls there from now on. */
  void unimplementedAt(String endpoint) {
    unaryOnly.add(endpoint);
  }

  /** Cancels every stream; their waiting calls fail with CANCELLED. */
  void cancelAll(String why) {
    for (SubmitStream stream : streams.values()) {
      stream.cancel(why);
    }
  }

  /** Starts the periodic check of the streams' per-call timeouts (once). */
  private void startExpiring() {
    if (expiring.get() || !expiring.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.scheduleWithFixedDelay(
          () -> {
            long now = System.nanoTime();
            for (SubmitStream stream : streams.values()) {
              stream.expire(now);
            }
          },
          expiryPeriodNanos,
          expiryPeriodNanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the client is closed: close() cancels the streams
    }
  }
}
