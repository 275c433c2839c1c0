/**
 * Test tools that ship with the library for users' own tests: {@link
 * io.jangada.raft.testing.InMemoryCluster} (N nodes in virtual time with crash, restart and
 * partitions), {@link io.jangada.raft.testing.ManualScheduler}, {@link
 * io.jangada.raft.testing.VirtualNetwork}, {@link io.jangada.raft.testing.RecordingStateMachine}
 * and, for tests over a real transport, {@link io.jangada.raft.testing.LoopbackPorts}.
 */
package io.jangada.raft.testing;
