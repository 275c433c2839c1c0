package io.jangada.raft.examples.kv.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The thread that writes the answers to writes (PUT, DELETE), in the order their outcomes arrive. A
 * write's outcome arrives on the thread that completes it: on a leader the node's apply thread,
 * which would otherwise write each answer of a committed batch itself (Jetty's send, the
 * connection's resume and often the parse and proposal of that connection's next request) before it
 * could apply the next batch. Handing an answer over costs a queue insertion; the answering thread
 * is woken only when it had run out of answers. It takes every answer queued so far and writes them
 * with {@link JettyThreads#answerAll} (all answers first, then the connections' resumes).
 *
 * <p>Thread-safe. After {@link #close} answers run on the calling thread; answers still queued at
 * close are dropped (the server has closed their connections by then).
 */
final class WriteAnswers implements AutoCloseable {

  private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  WriteAnswers(String name) {
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Writes {@code answer} on the answering thread, after the answers handed over before it. */
  void answer(Runnable answer) {
    if (closed) {
      JettyThreads.answerAll(List.of(answer));
      return;
    }
    queue.add(answer);
  }

  private void run() {
    List<Runnable> batch = new ArrayList<>();
    try {
      while (!closed) {
        batch.add(queue.take());
        queue.drainTo(batch);
        JettyThreads.answerAll(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  /** Ends the answering thread. Idempotent. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
