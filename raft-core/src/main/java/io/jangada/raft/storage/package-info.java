/**
 * The storage SPIs: {@link io.jangada.raft.storage.LogStorage} (with the read-only {@link
 * io.jangada.raft.storage.LogReader} the core sees), {@link io.jangada.raft.storage.StateStorage}
 * and {@link io.jangada.raft.storage.SnapshotStorage}, plus in-memory implementations that obey the
 * same durability contract (with an explicit {@code crash()} for tests).
 */
package io.jangada.raft.storage;
