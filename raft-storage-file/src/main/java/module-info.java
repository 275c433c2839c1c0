/** Durable file storage for Jangada: a segmented log, the hard state and snapshots on disk. */
module io.jangada.raft.storage.file {
  requires transitive io.jangada.raft;
  requires org.slf4j;

  exports io.jangada.raft.storage.file;
}
