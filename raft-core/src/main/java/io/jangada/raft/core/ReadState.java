package io.jangada.raft.core;

/**
 * The outcome of a read-index request (thesis §6.4).
 *
 * @param requestId the id passed to {@link RaftCore#readIndex(long)}
 * @param readIndex when {@code success}, the commit index the read must wait for: once the state
 *     machine has applied up to it, the read may be served locally and is linearizable
 * @param success false if leadership could not be confirmed (not leader, no leader known,
 *     leadership lost); the read must fail or be retried
 */
public record ReadState(long requestId, long readIndex, boolean success) {}
