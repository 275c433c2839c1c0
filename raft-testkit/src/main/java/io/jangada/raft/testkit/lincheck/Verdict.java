package io.jangada.raft.testkit.lincheck;

/** The answer of a linearizability check. */
public enum Verdict {
  /** A linearization exists: every ok operation can be ordered consistently with the model. */
  LINEARIZABLE,
  /** No linearization exists: the history proves a consistency violation. */
  NOT_LINEARIZABLE,
  /**
   * The time budget ran out (or the partition was not checked) before the search finished. This is
   * not a pass: treat it as a failure of the test, or re-run with a larger budget or a smaller
   * history.
   */
  UNKNOWN
}
