/**
 * Jangada's core: the {@code RaftNode} driver, the deterministic Raft state machine, the message
 * model and the storage and transport SPIs with their in-memory storages. The driver's internals
 * ({@code io.jangada.raft.internal}) are not exported.
 */
module io.jangada.raft {
  requires org.slf4j;

  exports io.jangada.raft;
  exports io.jangada.raft.core;
  exports io.jangada.raft.model;
  exports io.jangada.raft.storage;
  exports io.jangada.raft.transport;
}
