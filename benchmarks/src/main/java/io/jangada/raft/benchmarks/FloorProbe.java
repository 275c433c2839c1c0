package io.jangada.raft.benchmarks;

import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures what a write cannot beat on this machine, right before a run: one 4 KiB append plus
 * {@code fdatasync} in the storage directory, and one round trip between two {@link GrpcTransport}s
 * on loopback. A run's latency is then reported next to these floors, so runs on different days
 * compare by ratio rather than by absolute milliseconds.
 */
final class FloorProbe {
  private static final int FSYNC_SAMPLES = 500;
  private static final int RTT_SAMPLES = 2_000;

  private FloorProbe() {}

  /**
   * {@value #FSYNC_SAMPLES} appends of 4 KiB, each followed by a data sync: their latencies in
   * nanoseconds, sorted.
   */
  static long[] fsyncSamples(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = Files.createTempFile(directory, "floor-", ".dat");
    long[] samples = new long[FSYNC_SAMPLES];
    ByteBuffer block = ByteBuffer.allocateDirect(4096);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      for (int i = 0; i < samples.length; i++) {
        block.clear();
        long begin = System.nanoTime();
        while (block.hasRemaining()) {
          channel.write(block);
        }
        channel.force(false);
        samples[i] = System.nanoTime() - begin;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    Arrays.sort(samples);
    return samples;
  }

  /**
   * {@value #FSYNC_SAMPLES} rounds in which {@code nodes} threads each append 4 KiB to their own
   * file and sync it at the same time, as the nodes of a benchmark cluster sharing one disk do for
   * every write: per round, the time from the first start until a majority of them had synced (what
   * a write's storage part cannot beat when all nodes share the disk; concurrent {@code fdatasync}s
   * of growing files wait for each other in the file system's journal). Nanoseconds, sorted.
   */
  static long[] quorumFsyncSamples(Path directory, int nodes) throws Exception {
    Files.createDirectories(directory);
    long[][] starts = new long[nodes][FSYNC_SAMPLES];
    long[][] ends = new long[nodes][FSYNC_SAMPLES];
    java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(nodes);
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(nodes);
    try {
      for (int n = 0; n < nodes; n++) {
        int node = n;
        done.add(
            threads.submit(
                () -> {
                  Path file = Files.createTempFile(directory, "floor-" + node + "-", ".dat");
                  ByteBuffer block = ByteBuffer.allocateDirect(4096);
                  try (FileChannel channel =
                      FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    for (int i = 0; i < FSYNC_SAMPLES; i++) {
                      barrier.await(10, TimeUnit.SECONDS);
                      block.clear();
                      starts[node][i] = System.nanoTime();
                      while (block.hasRemaining()) {
                        channel.write(block);
                      }
                      channel.force(false);
                      ends[node][i] = System.nanoTime();
                    }
                  } finally {
                    Files.deleteIfExists(file);
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
    long[] samples = new long[FSYNC_SAMPLES];
    for (int i = 0; i < FSYNC_SAMPLES; i++) {
      long first = Long.MAX_VALUE;
      long[] end = new long[nodes];
      for (int n = 0; n < nodes; n++) {
        first = Math.min(first, starts[n][i]);
        end[n] = ends[n][i];
      }
      Arrays.sort(end);
      samples[i] = end[nodes / 2] - first;
    }
    Arrays.sort(samples);
    return samples;
  }

  /**
   * {@value #RTT_SAMPLES} round trips of a heartbeat between two gRPC transports on 127.0.0.1 (the
   * second one answers from its inbox), after {@code RTT_SAMPLES / 4} unmeasured round trips of
   * warm-up: their latencies in nanoseconds, sorted.
   */
  static long[] grpcRoundTripSamples() throws Exception {
    NodeId a = NodeId.of("floor-a");
    NodeId b = NodeId.of("floor-b");
    InetSocketAddress addressA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addressB = LoopbackPorts.freeLoopbackAddress();
    BlockingQueue<Message> answers = new ArrayBlockingQueue<>(16);
    try (GrpcTransport left =
            GrpcTransport.builder()
                .self(a)
                .clusterId("floor")
                .listen(addressA)
                .peer(b, addressB)
                .build();
        GrpcTransport right =
            GrpcTransport.builder()
                .self(b)
                .clusterId("floor")
                .listen(addressB)
                .peer(a, addressA)
                .build()) {
      left.start(inbox(answers::offer));
      right.start(
          inbox(
              message -> {
                if (message instanceof Message.Heartbeat beat) {
                  right.send(new Message.HeartbeatResponse(b, a, beat.term(), beat.round()));
                }
              }));
      int warmup = RTT_SAMPLES / 4;
      long[] samples = new long[RTT_SAMPLES];
      for (int i = 0; i < warmup + RTT_SAMPLES; i++) {
        long begin = System.nanoTime();
        left.send(new Message.Heartbeat(a, b, 1, 0, i));
        if (!awaitRound(answers, i)) {
          throw new IllegalStateException("no heartbeat answer over loopback gRPC within 10 s");
        }
        if (i >= warmup) {
          samples[i - warmup] = System.nanoTime() - begin;
        }
      }
      Arrays.sort(samples);
      return samples;
    }
  }

  private static boolean awaitRound(BlockingQueue<Message> answers, long round)
      throws InterruptedException {
    while (true) {
      Message answer = answers.poll(10, TimeUnit.SECONDS);
      if (answer == null) {
        return false;
      }
      if (answer instanceof Message.HeartbeatResponse response && response.round() == round) {
        return true;
      }
    }
  }

  private static Transport.Inbox inbox(java.util.function.Consumer<Message> receiver) {
    return new Transport.Inbox() {
      @Override
      public void receive(Message message) {
        receiver.accept(message);
      }

      @Override
      public void unreachable(NodeId peer) {}
    };
  }

  private static double millisAt(long[] sorted, double quantile) {
    return sorted[(int) (sorted.length * quantile)] / 1e6;
  }

  /**
   * Both floors, measured once per run: their medians and 99th percentiles (the floors' own tails
   * next to the run's p99: with a disk whose fsync p99 is several times its p50, a write's p99
   * cannot be much closer to its p50); the round trip's are NaN for the in-memory transport.
   */
  record Floors(
      double fsyncMillis,
      double fsyncP99Millis,
      double quorumFsyncMillis,
      double quorumFsyncP99Millis,
      double rttMillis,
      double rttP99Millis) {
    static Floors measure(Path storageDirectory, boolean grpc, int nodes) throws Exception {
      long[] rtt = grpc ? grpcRoundTripSamples() : null;
      long[] fsync = fsyncSamples(storageDirectory);
      long[] quorum = quorumFsyncSamples(storageDirectory, nodes);
      return new Floors(
          millisAt(fsync, 0.5),
          millisAt(fsync, 0.99),
          millisAt(quorum, 0.5),
          millisAt(quorum, 0.99),
          rtt == null ? Double.NaN : millisAt(rtt, 0.5),
          rtt == null ? Double.NaN : millisAt(rtt, 0.99));
    }

    List<String> fields(double p50Millis) {
      List<String> fields = new ArrayList<>();
      fields.add(String.format(java.util.Locale.ROOT, "fsync_floor_ms=%.3f", fsyncMillis));
      fields.add(String.format(java.util.Locale.ROOT, "fsync_floor_p99_ms=%.3f", fsyncP99Millis));
      fields.add(
          String.format(java.util.Locale.ROOT, "quorum_fsync_floor_ms=%.3f", quorumFsyncMillis));
      fields.add(
          String.format(
              java.util.Locale.ROOT, "quorum_fsync_floor_p99_ms=%.3f", quorumFsyncP99Millis));
      fields.add(String.format(java.util.Locale.ROOT, "rtt_floor_ms=%.3f", rttMillis));
      fields.add(String.format(java.util.Locale.ROOT, "rtt_floor_p99_ms=%.3f", rttP99Millis));
      fields.add(
          String.format(java.util.Locale.ROOT, "p50_minus_fsync_ms=%.3f", p50Millis - fsyncMillis));
      fields.add(
          String.format(java.util.Locale.ROOT, "p50_over_fsync=%.2f", p50Millis / fsyncMillis));
      return fields;
    }
  }
}
