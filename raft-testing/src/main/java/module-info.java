/**
 * The test kit for users' tests (add it with test scope): an in-memory cluster in virtual time, a
 * manual scheduler, a virtual network, a recording state machine, and free loopback ports for tests
 * over a real transport.
 */
module io.jangada.raft.testing {
  requires transitive io.jangada.raft;

  exports io.jangada.raft.testing;
}
