package io.jangada.raft.examples.kv.server;

import org.eclipse.jetty.io.Content;

/**
 * Reads and discards what is left of a refused request's body before the refusal is written, up to
 * a bound. A server that answers (say, 413) and closes the connection while the client is still
 * sending makes the kernel reset the connection (unread bytes in the receive buffer), and the reset
 * can reach the client before it read the answer: the client then sees "connection reset" or "no
 * bytes" instead of the 413 it was sent. Draining keeps the connection orderly and lets it carry
 * the next request. A body larger than the bound is not drained: the answer is written at once and
 * Jetty closes the connection, which is all a server can do against an unbounded upload.
 *
 * <p>Non-blocking: reads what is available and asks the source for a callback when more arrives.
 * {@code then} runs exactly once, on whichever thread finishes the drain (Jetty's or the caller's).
 */
final class BodyDrain {

  private final Content.Source source;
  private final long limit;
  private final Runnable then;
  private long drained;

  private BodyDrain(Content.Source source, long limit, Runnable then) {
    this.source = source;
    this.limit = limit;
    this.then = then;
  }

  /** Discards up to {@code limit} more bytes of {@code source}, then runs {@code then}. */
  static void thenRun(Content.Source source, long limit, Runnable then) {
    new BodyDrain(source, limit, then).read();
  }

  private void read() {
    while (true) {
      Content.Chunk chunk = source.read();
      if (chunk == null) {
        source.demand(this::read);
        return;
      }
      drained += chunk.remaining();
      boolean last = chunk.isLast();
      boolean failed = Content.Chunk.isFailure(chunk);
      chunk.release();
      if (last || failed || drained > limit) {
        then.run();
        return;
      }
    }
  }
}
