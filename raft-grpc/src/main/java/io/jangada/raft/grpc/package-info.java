/**
 * The gRPC network transport: {@link io.jangada.raft.grpc.GrpcTransport}. Protobuf and gRPC types
 * stay inside this package (the generated code lives in the non-API package {@code
 * io.jangada.raft.grpc.proto}).
 */
package io.jangada.raft.grpc;
