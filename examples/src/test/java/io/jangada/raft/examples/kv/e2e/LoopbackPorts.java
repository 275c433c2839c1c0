package io.jangada.raft.examples.kv.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Port checks for the multi-process tests, which need fixed port ranges on 127.0.0.1. */
final class LoopbackPorts {

  private static final int LOWEST_BASE = 10_000;

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

  /**
   * A random base port, a multiple of 10 from 10,000, such that {@code [base, base + span)} lies
   * below the range the kernel picks outgoing connections' local ports from. A port inside that
   * range can be free when {@link #free} checks it and taken a moment later by a connection the
   * first nodes open to each other, so the last node to start could not bind it.
   */
  static int randomBase(SplittableRandom random, int span) {
    int slots = Math.max(1, (ephemeralLow() - span - LOWEST_BASE) / 10);
    return LOWEST_BASE + 10 * random.nextInt(slots);
  }

  /** The lowest ephemeral port: Linux's {@code ip_local_port_range}, else 32,768. */
  static int ephemeralLow() {
    try {
      // readAllLines, not readString: /proc files report size 0, and readString then reads 1 byte.
      String range =
          Files.readAllLines(
                  Path.of("/proc/sys/net/ipv4/ip_local_port_range"), StandardCharsets.US_ASCII)
              .get(0);
      return Integer.parseInt(range.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
