package io.jangada.raft.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Loopback addresses for tests and benchmarks of a real transport, which need their ports before
 * the nodes start: every transport must know its peers' addresses, and a restarted node listens
 * where it did before.
 *
 * <p>The ports come from below the range the kernel picks ephemeral ports from (Linux's {@code
 * ip_local_port_range}, else 32,768). A port the kernel chose for {@code new ServerSocket(0)} lies
 * in that range and, once released, can be given to any outgoing connection (the transports' own, a
 * parallel build's) before the test binds it; a port below the range is never handed out that way.
 * Each JVM starts at a random port and counts up, skipping ports something listens on, so parallel
 * forks rarely meet. A race remains only with another process that binds the same port explicitly
 * in the same instant.
 *
 * <p>Thread-safe; {@link #freeLoopbackAddress} tries binds, so it blocks for as long as those take.
 */
public final class LoopbackPorts {
  private static final int LOWEST = 10_000;
  private static final int HIGHEST = ephemeralLow() - 1;
  private static int next = LOWEST + new SplittableRandom().nextInt(HIGHEST - LOWEST);

  private LoopbackPorts() {}

  /**
   * A 127.0.0.1 address with a port below the ephemeral range that is free right now.
   *
   * @throws IllegalStateException if every port in the range is in use
   */
  public static synchronized InetSocketAddress freeLoopbackAddress() {
    for (int tries = 0; tries <= HIGHEST - LOWEST; tries++) {
      int port = next;
      next = port == HIGHEST ? LOWEST : port + 1;
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
      } catch (IOException inUse) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port in " + LOWEST + ".." + HIGHEST);
  }

  /** The lowest ephemeral port: Linux's {@code ip_local_port_range}, else 32,768. */
  private static int ephemeralLow() {
    try {
      // readAllLines, not readString: /proc files report size 0, and readString then reads 1 byte.
      String range =
          Files.readAllLines(
                  Path.of("/proc/sys/net/ipv4/ip_local_port_range"), StandardCharsets.US_ASCII)
              .get(0);
      return Math.max(LOWEST + 1_000, Integer.parseInt(range.trim().split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
