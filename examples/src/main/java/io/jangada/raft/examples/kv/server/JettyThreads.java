package io.jangada.raft.examples.kv.server;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's thread pool for {@link KvHttpServer}, with one shortcut for answers written from outside
 * Jetty. A write is answered by the server's answering thread ({@link WriteAnswers}), after Jetty's
 * thread returned from the handler. When that answer is written, Jetty resumes the connection (to
 * read the client's next request) by handing the connection to a pool thread: a task, a thread
 * wake-up and a park per write, on every write of a leader. Inside {@link #answerAll} the resumes
 * run on the answering thread instead, after all the answers of the run: each reads its socket
 * without blocking (the client's next request if it has arrived meanwhile, which is then parsed and
 * proposed right there; else the selector is asked to watch the socket), which is what a woken pool
 * thread would have done. Writing a batch's answers before any resume sends them all out without
 * waiting for the next requests' parsing, and lets the next requests arrive, and be proposed,
 * together.
 *
 * <p>Thread-safe.
 */
final class JettyThreads extends QueuedThreadPool {

  private static final Logger log = LoggerFactory.getLogger(JettyThreads.class);
  private static final ThreadLocal<List<Runnable>> RESUMES = new ThreadLocal<>();

  JettyThreads(int maxThreads, int minThreads) {
    super(maxThreads, minThreads);
  }

  /**
   * Runs {@code answers} (each writing a response from a thread outside Jetty) in order, then the
   * connection resumes they caused, in order, on this thread rather than on pool threads. A failing
   * answer or resume is logged and does not stop the others.
   */
  static void answerAll(List<Runnable> answers) {
    List<Runnable> resumes = new ArrayList<>(answers.size());
    RESUMES.set(resumes);
    try {
      for (Runnable answer : answers) {
        runLogged(answer);
      }
    } finally {
      RESUMES.remove();
    }
    // Whatever a resume does next (parse, propose, answer at once) is Jetty's usual business.
    for (Runnable resume : resumes) {
      runLogged(resume);
    }
  }

  private static void runLogged(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("answering a write failed", e);
    }
  }

  @Override
  public void execute(Runnable job) {
    List<Runnable> resumes = RESUMES.get();
    if (job instanceof Connection && resumes != null) {
      resumes.add(job); // only the resume itself
      return;
    }
    super.execute(job);
  }
}
