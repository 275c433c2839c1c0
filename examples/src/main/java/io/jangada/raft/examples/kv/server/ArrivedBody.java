package io.jangada.raft.examples.kv.server;

import java.util.ArrayDeque;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/**
 * A request body that arrived whole with its headers, read without Jetty's accumulating reader. A
 * write's value (100 bytes in the benchmarks) nearly always comes in the same TCP segment as the
 * request's headers: Jetty then hands it out as one content chunk followed by the end of the body,
 * and copying that chunk is all there is to do. {@code Content.Source.asByteArrayAsync} would build
 * a growable buffer, a reference count, a slice and two promise wrappers per request for the same
 * result.
 *
 * <p>When the body has not all arrived (or is larger than the limit, or failed), the chunks taken
 * here are handed back: {@link #rest()} is a source that yields them first and then the rest of the
 * request's body, to read with the usual asynchronous reader. Runs on the thread that handles the
 * request; not thread-safe.
 */
final class ArrivedBody {

  private final Request request;
  private final ArrayDeque<Content.Chunk> taken = new ArrayDeque<>(2);
  private final byte[] body;

  private ArrivedBody(Request request, int limit) {
    this.request = request;
    this.body = read(limit);
  }

  /** Reads {@code request}'s body if it has all arrived and has at most {@code limit} bytes. */
  static ArrivedBody read(Request request, int limit) {
    return new ArrivedBody(request, limit);
  }

  /** The whole body, or null if it has not all arrived or is too large: then read {@link #rest}. */
  byte[] body() {
    return body;
  }

  private byte[] read(int limit) {
    Content.Chunk first = take();
    if (first == null || Content.Chunk.isFailure(first) || first.remaining() > limit) {
      return null;
    }
    if (first.isLast()) {
      return copyAndRelease();
    }
    Content.Chunk second = take();
    if (second == null
        || Content.Chunk.isFailure(second)
        || !second.isLast()
        || second.hasRemaining()) {
      return null;
    }
    return copyAndRelease();
  }

  private Content.Chunk take() {
    Content.Chunk chunk = request.read();
    if (chunk != null) {
      taken.add(chunk);
    }
    return chunk;
  }

  private byte[] copyAndRelease() {
    Content.Chunk content = taken.getFirst();
    byte[] body = BufferUtil.toArray(content.getByteBuffer());
    for (Content.Chunk chunk : taken) {
      chunk.release();
    }
    taken.clear();
    return body;
  }

  /** The request's body from where {@link #read} stopped: first the chunks it took. */
  Content.Source rest() {
    return taken.isEmpty() ? request : new Unread(request, taken);
  }

  /** The request with the chunks already read put back in front of its body. */
  private static final class Unread extends Request.Wrapper {
    private final ArrayDeque<Content.Chunk> pending;

    Unread(Request request, ArrayDeque<Content.Chunk> pending) {
      super(request);
      this.pending = pending;
    }

    @Override
    public Content.Chunk read() {
      Content.Chunk chunk = pending.poll();
      return chunk != null ? chunk : super.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
      if (pending.isEmpty()) {
        super.demand(demandCallback);
      } else {
        demandCallback.run(); // something to read now
      }
    }

    @Override
    public void fail(Throwable failure) {
      releasePending();
      super.fail(failure);
    }

    private void releasePending() {
      for (Content.Chunk chunk; (chunk = pending.poll()) != null; ) {
        chunk.release();
      }
    }
  }
}
