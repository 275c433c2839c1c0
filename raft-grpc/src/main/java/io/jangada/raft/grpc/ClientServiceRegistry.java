package io.jangada.raft.grpc;

import io.grpc.HandlerRegistry;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;

/**
 * The server's fallback registry: holds the client service once {@code GrpcTransport.serveClients}
 * attached it, so it can be added before or after the server starts. Thread-safe.
 */
final class ClientServiceRegistry extends HandlerRegistry {

  private volatile ServerServiceDefinition service;

  void set(ServerServiceDefinition service) {
    this.service = service;
  }

  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    ServerServiceDefinition current = service;
    return current == null ? null : current.getMethod(methodName);
  }
}
