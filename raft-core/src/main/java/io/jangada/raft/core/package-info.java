/**
 * The pure Raft algorithm: {@link io.jangada.raft.core.RaftCore} takes inputs as method calls and
 * hands out work as {@link io.jangada.raft.core.Ready} values. No threads, clocks, I/O or global
 * randomness: given the same inputs and seed it behaves the same, which is what makes deterministic
 * simulation possible.
 */
package io.jangada.raft.core;
