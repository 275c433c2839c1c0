package io.jangada.raft.benchmarks;

import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.metrics.GrpcTransportMeters;
import io.jangada.raft.model.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One {@link GrpcTransport} per node on 127.0.0.1, on ports that were free a moment ago (below the
 * ephemeral range).
 */
final class GrpcTransports {
  private static final int LOWEST = 10_000;
  private static final int HIGHEST = ephemeralLow() - 1;
  private static int next = LOWEST + new SplittableRandom().nextInt(HIGHEST - LOWEST);

  private GrpcTransports() {}

  /** With a registry for a node in {@code registries}, its transport counts into it. */
  static NodeBenchmark.Transports create(
      List<NodeId> ids, List<AutoCloseable> resources, Map<NodeId, MeterRegistry> registries) {
    Map<NodeId, InetSocketAddress> addresses = new HashMap<>();
    for (NodeId id : ids) {
      addresses.put(id, freeLoopbackAddress());
    }
    return id -> {
      GrpcTransport.Builder builder =
          GrpcTransport.builder().self(id).clusterId("bench").listen(addresses.get(id));
      for (NodeId peer : ids) {
        if (!peer.equals(id)) {
          builder.peer(peer, addresses.get(peer));
        }
      }
      MeterRegistry registry = registries.get(id);
      if (registry != null) {
        builder.metrics(new GrpcTransportMeters(registry, "bench"));
      }
      GrpcTransport transport = builder.build();
      resources.add(0, transport); // close transports before storage
      return transport;
    };
  }

  /**
   * A 127.0.0.1 address with a port that is free right now, below the range the kernel picks
   * ephemeral ports from (Linux's {@code ip_local_port_range}): a port the kernel chose for {@code
   * new ServerSocket(0)} lies in that range and, once released, can be given to any outgoing
   * connection (the other nodes' own) before the transport binds it; a port below it is never
   * handed out that way. Each JVM starts at a random port and counts up, skipping ports in use.
   */
  static synchronized InetSocketAddress freeLoopbackAddress() {
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
