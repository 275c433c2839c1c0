package io.jangada.raft.examples.kv.server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The thread that writes the answers to writes (PUT, DELETE), one after another in the order their
 * outcomes arrive. A write's outcome arrives on the thread that completes it: on a leader the
 * node's apply thread, which would otherwise write each answer of a committed batch itself (Jetty's
 * send, the connection's resume and often the parse and proposal of that connection's next request)
 * before it could apply the next batch. Handing the answer over costs a queue insertion; the
 * answering thread is woken only when it had run out of answers.
 *
 * <p>Thread-safe. After {@link #close} answers run on the calling thread (the server is stopping;
 * an answer must still not be lost).
 */
final class WriteAnswers implements AutoCloseable {

  private final ExecutorService thread;

  WriteAnswers(String name) {
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs {@code answer} on the answering thread, after the answers handed over before it. */
  void answer(Runnable answer) {
    try {
      thread.execute(answer);
    } catch (RejectedExecutionException e) {
      answer.run();
    }
  }

  /** Ends the answering thread; answers already handed over are dropped. Idempotent. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
