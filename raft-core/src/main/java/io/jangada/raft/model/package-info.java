/**
 * Immutable values shared by every layer: node ids, byte strings, log entries, hard state,
 * membership, snapshot metadata and the sealed {@link io.jangada.raft.model.Message} protocol.
 */
package io.jangada.raft.model;
