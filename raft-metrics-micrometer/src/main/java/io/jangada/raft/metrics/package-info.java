/**
 * Micrometer binding for Jangada: {@link io.jangada.raft.metrics.RaftNodeMeters} publishes a node's
 * state, events and timings to a {@code MeterRegistry}, {@link
 * io.jangada.raft.metrics.GrpcTransportMeters} the gRPC transport's counters. Meter names and tags
 * are listed in the README (section "Metrics") and are stable.
 */
package io.jangada.raft.metrics;
