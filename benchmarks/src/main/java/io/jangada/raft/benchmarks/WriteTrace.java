package io.jangada.raft.benchmarks;

import io.jangada.raft.RaftMetrics;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.ForwardingTransport;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.util.List;

/**
 * The timeline of every measured write at one client ({@code --trace-writes}): when the leader sent
 * the entry to each follower, when each follower received it, synced it and acknowledged it, when
 * the leader got each acknowledgement, when the leader's own sync ended, when the entry was applied
 * and when the caller saw the result. {@link WriteTraceReport} turns it into the time each stage of
 * a write took, to tell what makes the slow writes slow (a long fsync, the network, a hand-off, a
 * GC pause) instead of guessing from the total.
 *
 * <p>Message times come from a {@link Transport} wrapper around each node's transport (sends, and
 * the node's inbox for receipts), syncs and applies from {@link RaftMetrics} hooks ({@code
 * logSynced}, {@code applied}: end time and duration). Every entry index is one slot from the first
 * index after {@link #start}; at more than one client several writes share messages and syncs, so
 * the stages then overlap (the report is meant for {@code --clients 1}). Thread-safe (a lock per
 * recorded event: about a microsecond, on the benchmark's own wrapper).
 */
final class WriteTrace {

  /** Event kinds recorded per node and entry. */
  enum Kind {
    /** The leader handed an AppendRequest holding the entry to its transport (index: recipient). */
    APPEND_SENT,
    /** The node's inbox got an AppendRequest holding the entry. */
    APPEND_RECEIVED,
    /** The node sent a successful AppendResponse covering the entry. */
    ACK_SENT,
    /** The leader's inbox got the node's acknowledgement covering the entry (index: sender). */
    ACK_RECEIVED
  }

  /** End time and duration (nanoseconds) of one sync or apply of a node, with its entry count. */
  record Span(long end, long nanos, int entries) {
    long start() {
      return end - nanos;
    }
  }

  private final List<NodeId> ids;
  private final int capacity;
  // [kind][node][slot]: System.nanoTime() of the first such event, 0 if none.
  private final long[][][] times;
  private final long[][] covered; // [kind][node]: highest index filled by a cumulative event
  private final java.util.List<List<Span>> syncs;
  private final java.util.List<List<Span>> applies;
  private long base = -1; // the log index of slot 0; -1: not started
  private boolean started;

  WriteTrace(List<NodeId> ids, long writes) {
    this.ids = List.copyOf(ids);
    this.capacity = Math.toIntExact(writes + 1_000);
    this.times = new long[Kind.values().length][ids.size()][capacity];
    this.covered = new long[Kind.values().length][ids.size()];
    this.syncs = new java.util.ArrayList<>();
    this.applies = new java.util.ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      syncs.add(new java.util.ArrayList<>());
      applies.add(new java.util.ArrayList<>());
    }
  }

  /**
   * Starts recording with the entry after {@code lastIndex} (the leader's last index once the
   * warm-up's writes are done) in slot 0.
   */
  synchronized void start(long lastIndex) {
    base = lastIndex + 1;
    started = true;
    for (int k = 0; k < covered.length; k++) {
      java.util.Arrays.fill(covered[k], lastIndex);
    }
  }

  /** Stops recording (the end of the measured phase). */
  synchronized void stop() {
    started = false;
  }

  synchronized long time(Kind kind, int node, long index) {
    long slot = index - base;
    return slot < 0 || slot >= capacity ? 0 : times[kind.ordinal()][node][(int) slot];
  }

  synchronized List<Span> syncs(int node) {
    return List.copyOf(syncs.get(node));
  }

  synchronized List<Span> applies(int node) {
    return List.copyOf(applies.get(node));
  }

  List<NodeId> ids() {
    return ids;
  }

  /** {@code transport} of node {@code self}, recording what it sends and what its inbox gets. */
  Transport tracing(NodeId self, Transport transport) {
    return new Tracing(ids.indexOf(self), transport);
  }

  /** Hooks recording the syncs and applies of node {@code self}. */
  RaftMetrics metrics(NodeId self) {
    int node = ids.indexOf(self);
    return new RaftMetrics() {
      @Override
      public void logSynced(NodeId id, long nanos, int entries, long bytes) {
        span(syncs, node, nanos, entries);
      }

      @Override
      public void applied(NodeId id, long nanos, int entries) {
        span(applies, node, nanos, entries);
      }
    };
  }

  private synchronized void span(List<List<Span>> spans, int node, long nanos, int entries) {
    if (started) {
      spans.get(node).add(new Span(System.nanoTime(), nanos, entries));
    }
  }

  /** Records {@code kind} at node {@code node} for entries {@code first..last} not seen before. */
  private synchronized void range(Kind kind, int node, long first, long last, boolean cumulative) {
    if (!started || node < 0) {
      return;
    }
    long now = System.nanoTime();
    long from = cumulative ? covered[kind.ordinal()][node] + 1 : first;
    long[] slots = times[kind.ordinal()][node];
    for (long index = Math.max(from, base); index <= last && index - base < capacity; index++) {
      int slot = (int) (index - base);
      if (slots[slot] == 0) {
        slots[slot] = now;
      }
    }
    if (cumulative) {
      covered[kind.ordinal()][node] = Math.max(covered[kind.ordinal()][node], last);
    }
  }

  private void sent(int self, Message message) {
    if (message instanceof Message.AppendRequest append && !append.entries().isEmpty()) {
      List<LogEntry> entries = append.entries();
      range(
          Kind.APPEND_SENT,
          ids.indexOf(append.to()),
          entries.get(0).index(),
          entries.get(entries.size() - 1).index(),
          false);
    } else if (message instanceof Message.AppendResponse ack && ack.success()) {
      range(Kind.ACK_SENT, self, 0, ack.matchIndex(), true);
    }
  }

  private void received(int self, Message message) {
    if (message instanceof Message.AppendRequest append && !append.entries().isEmpty()) {
      List<LogEntry> entries = append.entries();
      range(
          Kind.APPEND_RECEIVED,
          self,
          entries.get(0).index(),
          entries.get(entries.size() - 1).index(),
          false);
    } else if (message instanceof Message.AppendResponse ack && ack.success()) {
      range(Kind.ACK_RECEIVED, ids.indexOf(ack.from()), 0, ack.matchIndex(), true);
    }
  }

  private final class Tracing extends ForwardingTransport {
    private final int self;

    Tracing(int self, Transport delegate) {
      super(delegate);
      this.self = self;
    }

    @Override
    public void start(Inbox inbox) throws IOException {
      delegate()
          .start(
              new Inbox() {
                @Override
                public void receive(Message message) {
                  received(self, message);
                  inbox.receive(message);
                }

                @Override
                public void unreachable(NodeId peer) {
                  inbox.unreachable(peer);
                }
              });
    }

    @Override
    public void send(Message message) {
      sent(self, message);
      delegate().send(message);
    }
  }
}
