/**
 * Jangada: an embeddable Raft library. Users implement {@link io.jangada.raft.StateMachine} and run
 * a {@code RaftNode}; storage and transport are pluggable SPIs.
 */
package io.jangada.raft;
