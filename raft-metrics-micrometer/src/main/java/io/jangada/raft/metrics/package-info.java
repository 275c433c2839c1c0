/**
 * Micrometer binding for Jangada: {@link io.jangada.raft.metrics.RaftNodeMeters} publishes a node's
 * state, events and timings to a {@code MeterRegistry}, {@link
 * io.jangada.raft.metrics.GrpcTransportMeters} the gRPC transport's counters. Meter names and tags
 * are listed in the README (section "Metrics") and are stable.
 *
 * <p>The module is an automatic module named {@code io.jangada.raft.metrics} (manifest entry), not
 * a named one: its API exposes Micrometer types, and Micrometer's jars are automatic modules only
 * ({@code micrometer.core}), as is the optional raft-grpc (shaded gRPC inside). A {@code
 * module-info} would have to {@code requires transitive} an automatic module (javac's
 * requires-transitive-automatic lint, an error under this build's {@code -Werror} unless
 * suppressed) and {@code requires static} raft-grpc, which has no descriptor, and would move this
 * module's tests (InMemoryCluster, gRPC in process) onto the module path. Revisit once Micrometer
 * ships module descriptors.
 */
package io.jangada.raft.metrics;
