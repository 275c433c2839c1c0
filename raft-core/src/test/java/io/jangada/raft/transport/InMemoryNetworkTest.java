package io.jangada.raft.transport;

import static io.jangada.raft.transport.TransportContract.awaitUntil;
import static io.jangada.raft.transport.TransportContract.awaitUntilOrTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.TransportContract.RecordingInbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault injection of {@link InMemoryNetwork}; every seed is fixed and named in the test. */
class InMemoryNetworkTest {

  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration QUIET = Duration.ofMillis(100);

  private InMemoryNetwork network;

  private RecordingInbox start(NodeId id) throws Exception {
    RecordingInbox inbox = new RecordingInbox();
    network.transport(id).start(inbox);
    return inbox;
  }

  private final List<Transport> transports = new ArrayList<>();

  private Transport open(NodeId id, RecordingInbox inbox) throws Exception {
    Transport t = network.transport(id);
    t.start(inbox);
    transports.add(t);
    return t;
  }

  @AfterEach
  void close() {
    if (network != null) {
      network.close();
    }
  }

  private static Message hb(NodeId from, NodeId to, long round) {
    return new Message.Heartbeat(from, to, 1, 0, round);
  }

  @Test
  void dropRateMatchesItsSettingAndIsReproducibleForASeed() throws Exception {
    long seed = 7;
    int sent = 10_000;
    long first = deliveredWithDropRate(seed, 0.3, sent);
    long second = deliveredWithDropRate(seed, 0.3, sent);

    assertThat(first).as("seed %d", seed).isEqualTo(second);
    // Binomial(10000, 0.7): sd ~ 46, so +-250 is more than 5 sd.
    assertThat(first).as("seed %d", seed).isBetween(7000L - 250, 7000L + 250);
  }

  private long deliveredWithDropRate(long seed, double rate, int count) throws Exception {
    network = new InMemoryNetwork(seed);
    network.setDropRate(rate);
    RecordingInbox inboxB = new RecordingInbox();
    Transport a = open(A, new RecordingInbox());
    open(B, inboxB);
    for (int i = 0; i < count; i++) {
      a.send(hb(A, B, i));
    }
    InMemoryNetwork net = network;
    awaitUntil(TIMEOUT, () -> net.deliveredCount() + net.droppedCount() == count);
    assertThat(inboxB.received()).hasSize((int) net.deliveredCount());
    network.close();
    return net.deliveredCount();
  }

  @Test
  void partitionsSeparateGroupsUntilHealed() throws Exception {
    network = new InMemoryNetwork(1);
    RecordingInbox a = new RecordingInbox();
    RecordingInbox b = new RecordingInbox();
    RecordingInbox c = new RecordingInbox();
    Transport ta = open(A, a);
    Transport tb = open(B, b);
    open(C, c);

    network.partition(Set.of(A, B), Set.of(C));
    ta.send(hb(A, C, 1));
    tb.send(hb(B, A, 2));
    awaitUntil(TIMEOUT, () -> a.received().contains(hb(B, A, 2)));
    assertThat(awaitUntilOrTimeout(QUIET, () -> !c.received().isEmpty())).isFalse();

    network.heal();
    ta.send(hb(A, C, 3));
    awaitUntil(TIMEOUT, () -> c.received().contains(hb(A, C, 3)));
    assertThat(c.received()).containsExactly(hb(A, C, 3));
  }

  @Test
  void aOneWayBlockCutsOnlyOneDirection() throws Exception {
    network = new InMemoryNetwork(2);
    RecordingInbox a = new RecordingInbox();
    RecordingInbox b = new RecordingInbox();
    Transport ta = open(A, a);
    Transport tb = open(B, b);

    network.block(A, B);
    ta.send(hb(A, B, 1));
    tb.send(hb(B, A, 2));
    awaitUntil(TIMEOUT, () -> a.received().contains(hb(B, A, 2)));
    assertThat(awaitUntilOrTimeout(QUIET, () -> !b.received().isEmpty())).isFalse();
  }

  @Test
  void anIsolatedNodeNeitherSendsNorReceives() throws Exception {
    network = new InMemoryNetwork(3);
    RecordingInbox a = new RecordingInbox();
    RecordingInbox b = new RecordingInbox();
    RecordingInbox c = new RecordingInbox();
    Transport ta = open(A, a);
    Transport tb = open(B, b);
    open(C, c);

    network.isolate(A);
    ta.send(hb(A, B, 1));
    tb.send(hb(B, A, 2));
    tb.send(hb(B, C, 3));
    awaitUntil(TIMEOUT, () -> c.received().contains(hb(B, C, 3)));
    assertThat(awaitUntilOrTimeout(QUIET, () -> !a.received().isEmpty() || !b.received().isEmpty()))
        .isFalse();
  }

  @Test
  void aFilterDropsTheMessagesItRejects() throws Exception {
    network = new InMemoryNetwork(4);
    RecordingInbox b = new RecordingInbox();
    Transport ta = open(A, new RecordingInbox());
    open(B, b);

    network.setFilter(m -> !(m instanceof Message.Heartbeat hb && hb.round() % 2 == 0));
    for (int i = 0; i < 10; i++) {
      ta.send(hb(A, B, i));
    }
    awaitUntil(TIMEOUT, () -> b.received().size() >= 5);
    assertThat(b.received())
        .containsExactly(hb(A, B, 1), hb(A, B, 3), hb(A, B, 5), hb(A, B, 7), hb(A, B, 9));
  }

  @Test
  void delayWithJitterKeepsPerPairOrder() throws Exception {
    network = new InMemoryNetwork(5);
    network.setDelay(Duration.ofMillis(1), Duration.ofMillis(5));
    RecordingInbox b = new RecordingInbox();
    Transport ta = open(A, new RecordingInbox());
    open(B, b);

    for (int i = 0; i < 300; i++) {
      ta.send(hb(A, B, i));
    }
    awaitUntil(TIMEOUT, () -> b.received().size() == 300);
    assertThat(rounds(b)).as("seed 5").isSorted();
  }

  @Test
  void reorderingBreaksPerPairOrderWhenEnabled() throws Exception {
    network = new InMemoryNetwork(6);
    network.setReorderRate(0.5);
    network.setDelay(Duration.ZERO, Duration.ofMillis(5));
    RecordingInbox b = new RecordingInbox();
    Transport ta = open(A, new RecordingInbox());
    open(B, b);

    for (int i = 0; i < 300; i++) {
      ta.send(hb(A, B, i));
    }
    awaitUntil(TIMEOUT, () -> b.received().size() == 300);
    List<Long> rounds = rounds(b);
    assertThat(rounds).as("seed 6").isNotEqualTo(rounds.stream().sorted().toList());
    assertThat(rounds)
        .as("seed 6")
        .containsExactlyInAnyOrderElementsOf(
            java.util.stream.LongStream.range(0, 300).boxed().toList());
  }

  @Test
  void duplicationDeliversSomeMessagesTwice() throws Exception {
    network = new InMemoryNetwork(8);
    network.setDuplicateRate(0.5);
    RecordingInbox b = new RecordingInbox();
    Transport ta = open(A, new RecordingInbox());
    open(B, b);

    for (int i = 0; i < 200; i++) {
      ta.send(hb(A, B, i));
    }
    InMemoryNetwork net = network;
    // Every original has arrived (a duplicate follows its original) and nothing delivered is
    // still on its way to the inbox. Waiting for "more than 200" alone raced with messages still
    // in flight.
    awaitUntil(
        TIMEOUT,
        () ->
            rounds(b).stream().distinct().count() == 200
                && b.received().size() == net.deliveredCount());
    List<Long> rounds = rounds(b);
    assertThat(rounds.stream().distinct().count()).as("seed 8").isEqualTo(200);
    assertThat(rounds.size()).as("seed 8").isBetween(250, 350);
    assertThat(rounds).as("duplicates follow their original, seed 8").isSorted();
  }

  @Test
  void aRestartedNodeGetsANewTransportAndTheOldOneStaysDead() throws Exception {
    network = new InMemoryNetwork(9);
    RecordingInbox a = new RecordingInbox();
    RecordingInbox oldB = new RecordingInbox();
    Transport ta = open(A, a);
    Transport tb = open(B, oldB);

    assertThatThrownBy(() -> network.transport(B)).isInstanceOf(IllegalStateException.class);
    network.disconnect(B);
    ta.send(hb(A, B, 1));
    awaitUntil(TIMEOUT, () -> a.unreachable().contains(B));

    RecordingInbox newB = start(B);
    ta.send(hb(A, B, 2));
    tb.send(hb(B, A, 3)); // from the crashed instance: dropped
    awaitUntil(TIMEOUT, () -> newB.received().contains(hb(A, B, 2)));
    assertThat(oldB.received()).isEmpty();
    assertThat(awaitUntilOrTimeout(QUIET, () -> !a.received().isEmpty())).isFalse();
  }

  @Test
  void aFixedDelayHoldsMessagesBackAtLeastThatLong() throws Exception {
    network = new InMemoryNetwork(10);
    network.setDelay(Duration.ofMillis(50), Duration.ZERO);
    java.util.concurrent.atomic.AtomicLong arrival = new java.util.concurrent.atomic.AtomicLong();
    RecordingInbox b =
        new RecordingInbox() {
          @Override
          public void receive(Message message) {
            arrival.set(System.nanoTime());
            super.receive(message);
          }
        };
    Transport ta = open(A, new RecordingInbox());
    open(B, b);

    long sent = System.nanoTime();
    ta.send(hb(A, B, 1));
    awaitUntil(TIMEOUT, () -> !b.received().isEmpty());
    assertThat(Duration.ofNanos(arrival.get() - sent))
        .isGreaterThanOrEqualTo(Duration.ofMillis(50));
  }

  @Test
  void concurrentSendersKeepTheirOwnOrder() throws Exception {
    network = new InMemoryNetwork(11);
    RecordingInbox c = new RecordingInbox();
    Transport ta = open(A, new RecordingInbox());
    Transport tb = open(B, new RecordingInbox());
    open(C, c);

    Thread fromA =
        new Thread(
            () -> {
              for (int i = 0; i < 5000; i++) ta.send(hb(A, C, i));
            });
    Thread fromB =
        new Thread(
            () -> {
              for (int i = 0; i < 5000; i++) tb.send(hb(B, C, i));
            });
    fromA.start();
    fromB.start();
    fromA.join();
    fromB.join();
    awaitUntil(TIMEOUT, () -> c.received().size() == 10_000);
    for (NodeId sender : List.of(A, B)) {
      assertThat(
              c.received().stream()
                  .filter(m -> m.from().equals(sender))
                  .map(m -> ((Message.Heartbeat) m).round())
                  .toList())
          .as("from %s", sender)
          .isSorted()
          .hasSize(5000);
    }
  }

  @Test
  void badSettingsAreRejected() {
    network = new InMemoryNetwork();
    assertThatThrownBy(() -> network.setDropRate(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> network.setDelay(Duration.ofMillis(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> network.partition(Set.of(A), Set.of(A, B)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Long> rounds(RecordingInbox inbox) {
    return inbox.received().stream().map(m -> ((Message.Heartbeat) m).round()).toList();
  }
}
