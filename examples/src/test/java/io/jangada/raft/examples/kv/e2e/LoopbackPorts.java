package io.jangada.raft.examples.kv.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Port checks for the multi-process tests, which need fixed port ranges on 127.0.0.1. */
final class LoopbackPorts {

  private LoopbackPorts() {}

  /** Whether every port in {@code [first, first + count)} can be bound on 127.0.0.1 right now. */
  static boolean free(int first, int count) {
    for (int port = first; port < first + count; port++) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
