package io.jangada.raft.examples.kv.server;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty's thread pool for {@link KvHttpServer}, with one shortcut for answers written from outside
 * Jetty. A write is answered by the server's answering thread ({@link WriteAnswers}), after Jetty's
 * thread returned from the handler. When that answer is written, Jetty resumes the connection (to
 * read the client's next request) by handing the connection to a pool thread: a task, a thread
 * wake-up and a park per write, on every write of a leader. Inside {@link #answerHere} the resume
 * runs on the answering thread instead: it reads the socket (usually nothing yet, so it asks the
 * selector to watch it) without blocking, which is what the woken pool thread would have done.
 *
 * <p>Thread-safe.
 */
final class JettyThreads extends QueuedThreadPool {

  private static final ThreadLocal<Boolean> ANSWERING = ThreadLocal.withInitial(() -> false);

  JettyThreads(int maxThreads, int minThreads) {
    super(maxThreads, minThreads);
  }

  /**
   * Runs {@code answer} (writing a response from a thread outside Jetty); a connection resume it
   * causes on this thread runs here rather than on a pool thread.
   */
  static void answerHere(Runnable answer) {
    ANSWERING.set(Boolean.TRUE);
    try {
      answer.run();
    } finally {
      ANSWERING.set(Boolean.FALSE);
    }
  }

  @Override
  public void execute(Runnable job) {
    if (job instanceof Connection && ANSWERING.get()) {
      // Only the resume itself: whatever the connection does next is Jetty's usual business.
      ANSWERING.set(Boolean.FALSE);
      try {
        job.run();
      } finally {
        ANSWERING.set(Boolean.TRUE);
      }
      return;
    }
    super.execute(job);
  }
}
