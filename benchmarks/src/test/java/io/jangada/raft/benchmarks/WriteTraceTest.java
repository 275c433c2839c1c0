package io.jangada.raft.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jangada.raft.RaftMetrics;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteTraceTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private final WriteTrace trace = new WriteTrace(List.of(N1, N2, N3), 10);
  private final List<Silent> delegates = new ArrayList<>();
  private final List<Transport> transports = new ArrayList<>();
  private final List<RaftMetrics> metrics = new ArrayList<>();

  WriteTraceTest() throws Exception {
    for (NodeId id : List.of(N1, N2, N3)) {
      Silent delegate = new Silent();
      Transport traced = trace.tracing(id, delegate);
      traced.start(
          new Transport.Inbox() {
            @Override
            public void receive(Message message) {}

            @Override
            public void unreachable(NodeId peer) {}
          });
      delegates.add(delegate);
      transports.add(traced);
      metrics.add(trace.metrics(id));
    }
  }

  @Test
  void aFollowerThatCompletesTheQuorumGetsTheStagesBetweenProposeAndResult() {
    trace.start(4);
    long begin = System.nanoTime();
    LogEntry entry = LogEntry.command(5, 1, Bytes.ofUtf8("x"));
    send(N1, new Message.AppendRequest(N1, N2, 1, 4, 1, List.of(entry), 4));
    send(N1, new Message.AppendRequest(N1, N3, 1, 4, 1, List.of(entry), 4));
    metrics.get(0).logSynced(N1, 0, 1, 10); // the leader's own copy first
    receive(N2, new Message.AppendRequest(N1, N2, 1, 4, 1, List.of(entry), 4));
    metrics.get(1).logSynced(N2, 0, 1, 10);
    Message.AppendResponse ack = new Message.AppendResponse(N2, N1, 1, true, 5, 0, 0);
    send(N2, ack);
    receive(N1, ack);
    metrics.get(0).applied(N1, 0, 1);
    long end = System.nanoTime();
    trace.stop();

    double[] stages = WriteTraceReport.stages(trace, 0, begin, end, 5);

    assertThat(stages[1]).as("leader>sync-start").isNaN();
    assertThat(stages[2]).as("leader-fsync").isNaN();
    double sum = 0;
    for (int s = 0; s < stages.length; s++) {
      if (s != 1 && s != 2) {
        assertThat(stages[s]).as(WriteTraceReport.STAGES.get(s)).isNotNaN().isNotNegative();
        sum += stages[s];
      }
    }
    assertThat(sum).as("the critical path adds up").isCloseTo((end - begin) / 1e6, within(1e-6));
  }

  @Test
  void theLeadersOwnSyncCompletesTheQuorumWhenItEndsAfterTheFirstAcknowledgement() {
    trace.start(4);
    long begin = System.nanoTime();
    LogEntry entry = LogEntry.command(5, 1, Bytes.ofUtf8("x"));
    send(N1, new Message.AppendRequest(N1, N2, 1, 4, 1, List.of(entry), 4));
    receive(N2, new Message.AppendRequest(N1, N2, 1, 4, 1, List.of(entry), 4));
    metrics.get(1).logSynced(N2, 0, 1, 10);
    Message.AppendResponse ack = new Message.AppendResponse(N2, N1, 1, true, 5, 0, 0);
    send(N2, ack);
    receive(N1, ack);
    metrics.get(0).logSynced(N1, 0, 1, 10); // the leader's own copy last
    metrics.get(0).applied(N1, 0, 1);
    long end = System.nanoTime();
    trace.stop();

    double[] stages = WriteTraceReport.stages(trace, 0, begin, end, 5);

    for (int s = 3; s <= 7; s++) {
      assertThat(stages[s]).as(WriteTraceReport.STAGES.get(s)).isNaN();
    }
    assertThat(stages[1] + stages[2] + stages[8] + stages[9])
        .isCloseTo((end - begin) / 1e6, within(1e-6));
    String report;
    try (JitSampler jit = new JitSampler()) {
      report =
          WriteTraceReport.report(
              trace,
              0,
              new long[] {begin},
              new long[] {end - begin},
              new long[] {5},
              new WriteTraceReport.GcPauses(),
              jit,
              1);
    }
    assertThat(report).contains("leader-fsync").contains("writes >= p99");
  }

  private void send(NodeId from, Message message) {
    transports.get(List.of(N1, N2, N3).indexOf(from)).send(message);
  }

  private void receive(NodeId at, Message message) {
    // What the node's transport hands to the inbox it was started with (the trace's wrapper).
    delegates.get(List.of(N1, N2, N3).indexOf(at)).inbox.receive(message);
  }

  /** A transport that sends nothing and keeps the inbox it was started with. */
  private static final class Silent implements Transport {
    Inbox inbox;

    @Override
    public void start(Inbox inbox) {
      this.inbox = inbox;
    }

    @Override
    public void send(Message message) {}

    @Override
    public void close() {}
  }
}
