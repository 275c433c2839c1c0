package io.jangada.raft.grpc;

import com.google.protobuf.CodedOutputStream;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testing.LoopbackPorts;
import io.jangada.raft.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Throughput of {@link GrpcTransport} between two transports in one JVM on 127.0.0.1: one-way
 * AppendRequests with 1 and with 64 entries of 100-byte payloads. The sender keeps at most {@code
 * window} messages in flight (well under the queue limit), so nothing is dropped. Not a test.
 *
 * <pre>
 * mvn -pl raft-grpc exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.jangada.raft.grpc.TransportBenchmark [-Djangada.bench.messages=200000]
 * </pre>
 *
 * Prints one line per case: {@code BENCH transport=grpc entries=… msgs_per_s=… MB_per_s=…}, where
 * MB counts the encoded bytes of the messages (10^6 bytes; frame headers, shared by a batch, not
 * counted) and entries_per_s counts log entries.
 */
public final class TransportBenchmark {

  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");

  private TransportBenchmark() {}

  public static void main(String[] args) throws Exception {
    int messages = Integer.getInteger("jangada.bench.messages", 200_000);
    int window = Integer.getInteger("jangada.bench.window", 1024);
    InetSocketAddress addrA = LoopbackPorts.freeLoopbackAddress();
    InetSocketAddress addrB = LoopbackPorts.freeLoopbackAddress();
    AtomicLong received = new AtomicLong();
    AtomicLong unreachable = new AtomicLong();
    Transport.Inbox counting =
        new Transport.Inbox() {
          @Override
          public void receive(Message message) {
            received.incrementAndGet();
          }

          @Override
          public void unreachable(NodeId peer) {
            unreachable.incrementAndGet();
          }
        };
    try (GrpcTransport a = build(A, addrA, B, addrB);
        GrpcTransport b = build(B, addrB, A, addrA)) {
      a.start(counting);
      b.start(counting);
      for (int entries : new int[] {1, 64}) {
        Message m = appendRequest(entries);
        int count = entries == 1 ? messages : Math.max(1000, messages / 8);
        run(a, m, count / 5, window, received, unreachable); // warm-up
        long nanos = run(a, m, count, window, received, unreachable);
        double seconds = nanos / 1e9;
        int messageBytes =
            CodedOutputStream.computeMessageSize(
                Envelope.MESSAGES_FIELD_NUMBER, ProtoCodec.encode(m));
        System.out.println(
            String.format(
                Locale.ROOT,
                "BENCH transport=grpc entries=%d payload_bytes=100 messages=%d seconds=%.2f"
                    + " msgs_per_s=%.0f entries_per_s=%.0f msg_bytes=%d MB_per_s=%.1f"
                    + " unreachable_reports=%d",
                entries,
                count,
                seconds,
                count / seconds,
                (double) count * entries / seconds,
                messageBytes,
                (double) count * messageBytes / seconds / 1e6,
                unreachable.get()));
      }
    }
  }

  private static long run(
      GrpcTransport a,
      Message m,
      int count,
      int window,
      AtomicLong received,
      AtomicLong unreachable) {
    long base = received.get();
    long start = System.nanoTime();
    long lastProgress = start;
    long lastSeen = base;
    for (int sent = 0; sent < count; ) {
      long inFlight = sent - (received.get() - base);
      if (inFlight < window) {
        a.send(m);
        sent++;
      } else {
        LockSupport.parkNanos(20_000);
      }
      long now = System.nanoTime();
      long seen = received.get();
      if (seen != lastSeen) {
        lastSeen = seen;
        lastProgress = now;
      } else if (now - lastProgress > TimeUnit.SECONDS.toNanos(5)) {
        throw new IllegalStateException(
            "no progress for 5 s (messages dropped? unreachable=" + unreachable.get() + ")");
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (received.get() - base < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + (received.get() - base) + " of " + count);
      }
      LockSupport.parkNanos(20_000);
    }
    return System.nanoTime() - start;
  }

  private static GrpcTransport build(
      NodeId self, InetSocketAddress listen, NodeId peer, InetSocketAddress peerAddress) {
    return GrpcTransport.builder()
        .self(self)
        .clusterId("bench")
        .listen(listen)
        .peer(peer, peerAddress)
        .build();
  }

  private static Message appendRequest(int entries) {
    List<LogEntry> list = new ArrayList<>();
    byte[] payload = new byte[100];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    for (int i = 0; i < entries; i++) {
      list.add(LogEntry.command(1_000_001 + i, 3, Bytes.copyOf(payload)));
    }
    return new Message.AppendRequest(A, B, 3, 1_000_000, 3, list, 999_999);
  }
}
