/**
 * Test tools that ship with the library for users' own tests: {@link
 * io.jangada.raft.testing.InMemoryCluster} (N nodes in virtual time with crash, restart and
 * partitions), {@link io.jangada.raft.testing.ManualScheduler}, {@link
 * io.jangada.raft.testing.VirtualNetwork} and {@link
 * io.jangada.raft.testing.RecordingStateMachine}.
 */
package io.jangada.raft.testing;
