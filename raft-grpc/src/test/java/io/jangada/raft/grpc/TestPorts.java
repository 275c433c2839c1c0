package io.jangada.raft.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback addresses for tests. */
final class TestPorts {
  private TestPorts() {}

  /**
   * A 127.0.0.1 address whose port was free a moment ago (bound to port 0, then released). Tests
   * need ports before starting, because every transport must know its peers' addresses.
   */
  static InetSocketAddress freeLoopbackAddress() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
