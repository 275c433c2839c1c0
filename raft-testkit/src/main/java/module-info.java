/**
 * Test tools: a linearizability checker for recorded histories, with key-value and register models.
 */
module io.jangada.raft.testkit {
  exports io.jangada.raft.testkit.lincheck;
  exports io.jangada.raft.testkit.lincheck.models;
}
