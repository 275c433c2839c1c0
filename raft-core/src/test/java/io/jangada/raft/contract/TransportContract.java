package io.jangada.raft.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Transport} must have. A transport module extends this class and
 * implements {@link #newCluster}; the tests start one transport per node with a {@link
 * RecordingInbox} and exercise them over real time with bounded polling.
 *
 * <p>Ships in raft-core's test-jar.
 */
public abstract class TransportContract {

  /** How long any single expectation may take before the test fails. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(10);

  protected static final NodeId A = NodeId.of("a");
  protected static final NodeId B = NodeId.of("b");
  protected static final NodeId C = NodeId.of("c");

  /** Creates transports for a fixed set of node ids that can all reach each other. */
  protected interface Cluster extends AutoCloseable {
    /**
     * A new, unstarted transport for {@code id}. Called once per id at the start of a test and
     * again to restart a node, after its previous transport was closed.
     */
    Transport newTransport(NodeId id);

    /** Releases what the cluster holds besides the transports (which the contract closes). */
    @Override
    void close();
  }

  /** A cluster of transports for {@code ids}, wired to reach each other. */
  protected abstract Cluster newCluster(List<NodeId> ids) throws Exception;

  private Cluster cluster;
  private final Map<NodeId, Transport> transports = new HashMap<>();
  private final Map<NodeId, RecordingInbox> inboxes = new HashMap<>();

  @BeforeEach
  void startCluster() throws Exception {
    cluster = newCluster(List.of(A, B, C));
    for (NodeId id : List.of(A, B, C)) {
      start(id);
    }
    connectAll();
  }

  /**
   * Waits until every node has reached every other: a transport may drop messages while its peers
   * are still starting (Raft retries), so each test starts from a connected cluster.
   */
  private void connectAll() {
    List<NodeId> ids = List.of(A, B, C);
    for (NodeId from : ids) {
      for (NodeId to : ids) {
        if (!from.equals(to)) {
          Message probe = new Message.Heartbeat(from, to, 0, 0, 0);
          sendUntil(from, probe, () -> inbox(to).received().contains(probe));
        }
      }
    }
    ids.forEach(id -> inbox(id).clear());
  }

  @AfterEach
  void stopCluster() {
    transports.values().forEach(Transport::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The running transport of {@code id}. */
  protected Transport transport(NodeId id) {
    return transports.get(id);
  }

  /** The inbox of {@code id}'s current transport. */
  protected RecordingInbox inbox(NodeId id) {
    return inboxes.get(id);
  }

  /** Starts a new transport for {@code id} with a fresh inbox. */
  protected void start(NodeId id) throws Exception {
    Transport t = cluster.newTransport(id);
    RecordingInbox inbox = new RecordingInbox();
    t.start(inbox);
    transports.put(id, t);
    inboxes.put(id, inbox);
  }

  /** Closes {@code id}'s transport and starts a new instance for the same id. */
  protected void restart(NodeId id) throws Exception {
    transports.get(id).close();
    start(id);
  }

  @Test
  void everyMessageKindIsDeliveredIntact() {
    List<Message> all = oneOfEachKind(A, B);
    all.forEach(transport(A)::send);

    awaitUntil(TIMEOUT, () -> inbox(B).received().size() >= all.size());
    assertThat(inbox(B).received()).containsExactlyElementsOf(all);
  }

  @Test
  void messagesToOnePeerArriveInOrder() {
    int count = 2000;
    for (int i = 0; i < count; i++) {
      transport(A).send(new Message.Heartbeat(A, B, 1, 0, i));
      transport(C).send(new Message.Heartbeat(C, B, 1, 0, i));
    }

    awaitUntil(TIMEOUT, () -> inbox(B).received().size() >= 2 * count);
    for (NodeId sender : List.of(A, C)) {
      List<Long> rounds = new ArrayList<>();
      for (Message m : inbox(B).received()) {
        if (m.from().equals(sender)) {
          rounds.add(((Message.Heartbeat) m).round());
        }
      }
      assertThat(rounds).as("rounds from %s", sender).hasSize(count).isSorted();
    }
  }

  @Test
  void bothDirectionsWork() {
    transport(A).send(new Message.TimeoutNow(A, B, 3));
    transport(B).send(new Message.TimeoutNow(B, A, 4));

    awaitUntil(TIMEOUT, () -> !inbox(A).received().isEmpty() && !inbox(B).received().isEmpty());
    assertThat(inbox(A).received()).containsExactly(new Message.TimeoutNow(B, A, 4));
    assertThat(inbox(B).received()).containsExactly(new Message.TimeoutNow(A, B, 3));
  }

  @Test
  void deliversToAPeerAfterItRestarts() throws Exception {
    Message before = new Message.Heartbeat(A, B, 1, 0, 1);
    transport(A).send(before);
    awaitUntil(TIMEOUT, () -> inbox(B).received().contains(before));

    restart(B);

    // The transport may lose messages while the peer restarts; Raft retries, and so do we.
    Message after = new Message.Heartbeat(A, B, 1, 0, 2);
    sendUntil(A, after, () -> inbox(B).received().contains(after));
    Message back = new Message.HeartbeatResponse(B, A, 1, 2);
    sendUntil(B, back, () -> inbox(A).received().contains(back));
    assertThat(inbox(B).received()).doesNotContain(before);
  }

  @Test
  void aClosedTransportReceivesNothingAndItsSenderHearsUnreachable() {
    RecordingInbox closedInbox = inbox(B);
    transport(B).close();

    Message lost = new Message.Heartbeat(A, B, 1, 0, 7);
    sendUntil(A, lost, () -> inbox(A).unreachable().contains(B));

    // C keeps talking to A, to show the network is alive while B stays silent.
    Message alive = new Message.TimeoutNow(C, A, 1);
    sendUntil(C, alive, () -> inbox(A).received().contains(alive));
    assertThat(closedInbox.received()).isEmpty();
  }

  @Test
  void sendNeverThrowsAfterCloseAndDeliversNothing() {
    transport(A).close();
    transport(A).close(); // idempotent

    assertThatCode(
            () -> {
              for (Message m : oneOfEachKind(A, B)) {
                transport(A).send(m);
              }
            })
        .doesNotThrowAnyException();

    Message alive = new Message.TimeoutNow(C, B, 1);
    sendUntil(C, alive, () -> inbox(B).received().contains(alive));
    assertThat(inbox(B).received()).containsOnly(alive); // resent, so perhaps more than once
  }

  @Test
  void aMessageToAnUnknownNodeIsDroppedAndReportedUnreachable() {
    NodeId stranger = NodeId.of("stranger");

    assertThatCode(() -> transport(A).send(new Message.TimeoutNow(A, stranger, 1)))
        .doesNotThrowAnyException();

    awaitUntil(TIMEOUT, () -> inbox(A).unreachable().contains(stranger));
  }

  @Test
  void aMessageWhoseFromIsNotTheSenderIsNotDelivered() {
    NodeId stranger = NodeId.of("stranger");
    transport(A).send(new Message.TimeoutNow(stranger, B, 1));
    transport(A).send(new Message.TimeoutNow(C, B, 1));
    Message marker = new Message.TimeoutNow(A, B, 2);
    transport(A).send(marker);

    awaitUntil(TIMEOUT, () -> inbox(B).received().contains(marker));
    assertThat(inbox(B).received()).containsExactly(marker);
  }

  /** Resends {@code message} from {@code sender} every 50 ms until {@code done} holds. */
  protected void sendUntil(NodeId sender, Message message, BooleanSupplier done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + TIMEOUT + " resending " + message);
      }
      transport(sender).send(message);
      awaitUntilOrTimeout(Duration.ofMillis(50), done);
    }
  }

  /**
   * Polls {@code condition} (every millisecond) until it holds.
   *
   * @throws AssertionError if it does not hold within {@code timeout}
   */
  public static void awaitUntil(Duration timeout, BooleanSupplier condition) {
    if (!awaitUntilOrTimeout(timeout, condition)) {
      throw new AssertionError("condition not met within " + timeout);
    }
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. */
  public static boolean awaitUntilOrTimeout(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  /** One message of every kind, with non-default values in every field. */
  public static List<Message> oneOfEachKind(NodeId from, NodeId to) {
    Membership membership =
        new Membership(new TreeSet<>(Set.of(from, to)), new TreeSet<>(Set.of(NodeId.of("l1"))));
    return List.of(
        new Message.VoteRequest(from, to, 5, 10, 4, true, true),
        new Message.VoteResponse(from, to, 5, true, true),
        new Message.AppendRequest(
            from,
            to,
            6,
            9,
            5,
            List.of(
                LogEntry.command(10, 6, Bytes.ofUtf8("set x=1")),
                LogEntry.noop(11, 6),
                LogEntry.membership(12, 6, membership),
                new LogEntry(
                    13, 6, io.jangada.raft.model.EntryType.SESSION, Bytes.ofUtf8("session"))),
            9),
        new Message.AppendResponse(from, to, 6, false, 3, 4, 2),
        new Message.Heartbeat(from, to, 6, 8, 77),
        new Message.HeartbeatResponse(from, to, 6, 77),
        new Message.InstallSnapshot(
            from,
            to,
            7,
            new SnapshotMeta(100, 6, membership),
            4096,
            Bytes.copyOf(new byte[] {0, 1, (byte) 0xff, 42}),
            true,
            0xCAFEBABEL),
        new Message.InstallSnapshotResponse(from, to, 7, 100, 4100, true),
        new Message.TimeoutNow(from, to, 8),
        new Message.ReadIndexRequest(from, to, 8, -3),
        new Message.ReadIndexResponse(from, to, 8, -3, 120, true),
        new Message.ForwardProposal(from, to, 8, Bytes.ofUtf8("forwarded request")));
  }

  /** An inbox that records everything; thread-safe. Subclass it to slow down or observe. */
  public static class RecordingInbox implements Transport.Inbox {
    private final LinkedBlockingQueue<Message> received = new LinkedBlockingQueue<>();
    private final Set<NodeId> unreachable = ConcurrentHashMap.newKeySet();

    @Override
    public void receive(Message message) {
      received.add(message);
    }

    @Override
    public void unreachable(NodeId peer) {
      unreachable.add(peer);
    }

    /** Forgets everything recorded so far. */
    public void clear() {
      received.clear();
      unreachable.clear();
    }

    /** A snapshot of the messages received so far, in arrival order. */
    public List<Message> received() {
      return List.copyOf(received);
    }

    /** The peers reported unreachable so far. */
    public Set<NodeId> unreachable() {
      return Set.copyOf(unreachable);
    }
  }
}
