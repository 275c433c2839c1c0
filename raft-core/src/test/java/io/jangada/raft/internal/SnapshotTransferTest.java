package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.SnapshotStorage;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The byte-moving half of InstallSnapshot: a {@link SnapshotSender} and a {@link SnapshotReceiver}
 * wired through a hand-driven link, with chunks lost, corrupted or the receiver restarted.
 */
class SnapshotTransferTest {

  private static final NodeId LEADER = NodeId.of("n1");
  private static final NodeId FOLLOWER = NodeId.of("n2");
  private static final SnapshotMeta META =
      new SnapshotMeta(42, 3, Membership.ofVoters(List.of(LEADER, FOLLOWER)));
  private static final int SIZE = 1000;
  private static final SnapshotPolicy POLICY = new SnapshotPolicy(0, 0, 0, 64, 3);

  /** Messages in flight, delivered by the test. */
  private final ArrayDeque<Message> wire = new ArrayDeque<>();

  private final Transport link =
      new Transport() {
        @Override
        public void start(Inbox inbox) {}

        @Override
        public void send(Message message) {
          wire.add(message);
        }

        @Override
        public void close() {}
      };

  private final InMemorySnapshotStorage leaderStorage = new InMemorySnapshotStorage();
  private final InMemorySnapshotStorage followerStorage = new InMemorySnapshotStorage();
  private final List<SnapshotMeta> stored = new ArrayList<>();
  private final List<Boolean> outcomes = new ArrayList<>();
  private byte[] data;
  private SnapshotSender sender;
  private SnapshotReceiver receiver;

  @BeforeEach
  void setUp() throws IOException {
    data = new byte[SIZE];
    new SplittableRandom(5).nextBytes(data);
    try (SnapshotStorage.Sink sink = leaderStorage.create(META)) {
      sink.stream().write(data);
      sink.commit();
    }
    sender =
        new SnapshotSender(
            LEADER,
            FOLLOWER,
            3,
            1,
            leaderStorage,
            link,
            POLICY,
            4,
            (peer, session, delivered, index) -> outcomes.add(delivered));
    receiver = newReceiver();
  }

  private SnapshotReceiver newReceiver() {
    return new SnapshotReceiver(
        FOLLOWER, followerStorage, new SnapshotCommits(followerStorage), link, stored::add);
  }

  /** Delivers everything on the wire (and what it causes), dropping what {@code drop} selects. */
  private void run(Predicate<Message> drop) {
    for (int steps = 0; !wire.isEmpty(); steps++) {
      assertThat(steps).as("transfer does not terminate").isLessThan(10_000);
      Message m = wire.poll();
      if (drop.test(m)) {
        continue;
      }
      if (m instanceof InstallSnapshot chunk) {
        receiver.onChunk(chunk);
      } else if (m instanceof InstallSnapshotResponse response) {
        sender.onResponse(response);
      } else {
        throw new AssertionError(m);
      }
    }
  }

  private void assertDeliveredIntact() throws IOException {
    assertThat(outcomes).containsExactly(true);
    assertThat(stored).containsExactly(META);
    assertThat(followerStorage.latest()).contains(META);
    try (InputStream in = followerStorage.open(META)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void chunksFlowWithinTheWindowAndArriveIntact() throws IOException {
    sender.start();
    assertThat(wire).hasSize(POLICY.window());
    run(m -> false);
    assertDeliveredIntact();
  }

  @Test
  void aLostChunkIsSentAgainFromTheAcknowledgedOffset() throws IOException {
    sender.start();
    boolean[] dropped = {false};
    run(
        m -> {
          if (!dropped[0] && m instanceof InstallSnapshot c && c.offset() == 5 * 64) {
            dropped[0] = true;
            return true;
          }
          return false;
        });
    if (outcomes.isEmpty()) {
      // The gap answers may all have been consumed; the timeout resends.
      for (int i = 0; i < 4 && outcomes.isEmpty(); i++) {
        sender.tick();
        run(m -> false);
      }
    }
    assertThat(dropped[0]).isTrue();
    assertDeliveredIntact();
  }

  @Test
  void aLostFinalAcknowledgementIsRecoveredByTheTimeoutWithoutResendingEverything()
      throws IOException {
    sender.start();
    run(m -> m instanceof InstallSnapshotResponse r && r.nextOffset() == SIZE);
    assertThat(outcomes).isEmpty();
    assertThat(stored).containsExactly(META);
    for (int i = 0; i < 4 && outcomes.isEmpty(); i++) {
      sender.tick();
    }
    assertThat(wire)
        .as("only the unacknowledged tail is sent again")
        .allMatch(m -> m instanceof InstallSnapshot c && c.offset() >= SIZE - 3 * 64);
    run(m -> false);
    // Reported again (the core acknowledges again), but nothing was stored twice.
    assertThat(stored).containsOnly(META);
    stored.clear();
    stored.add(META);
    assertDeliveredIntact();
  }

  @Test
  void silenceResendsAndFinallyGivesUp() {
    sender.start();
    wire.clear(); // the follower is gone
    for (int i = 0; i < 4 * 10 && outcomes.isEmpty(); i++) {
      sender.tick();
      assertThat(wire).allMatch(m -> m instanceof InstallSnapshot c && c.offset() < 3 * 64);
      wire.clear();
    }
    assertThat(outcomes).containsExactly(false);
    assertThat(stored).isEmpty();
  }

  @Test
  void aCorruptedSnapshotIsRejectedAndSentAgainFromTheStart() throws IOException {
    sender.start();
    boolean[] corrupted = {false};
    for (int steps = 0; !wire.isEmpty(); steps++) {
      assertThat(steps).isLessThan(10_000);
      Message m = wire.poll();
      if (m instanceof InstallSnapshot c) {
        if (!corrupted[0] && c.offset() == 64) {
          corrupted[0] = true;
          byte[] bad = c.data().toByteArray();
          bad[7] ^= 1;
          c =
              new InstallSnapshot(
                  c.from(),
                  c.to(),
                  c.term(),
                  c.meta(),
                  c.offset(),
                  Bytes.wrapUnsafe(bad),
                  c.last(),
                  c.checksum());
        }
        receiver.onChunk(c);
      } else {
        sender.onResponse((InstallSnapshotResponse) m);
      }
    }
    assertThat(corrupted[0]).isTrue();
    assertDeliveredIntact();
  }

  @Test
  void aReceiverThatLostItsPartialCopyMakesTheSenderStartOver() throws IOException {
    sender.start();
    int chunks = 0;
    while (!wire.isEmpty()) {
      Message m = wire.poll();
      if (m instanceof InstallSnapshot c) {
        if (++chunks == 6) {
          receiver.abort(); // follower restarted: its half-written sink is gone
          receiver = newReceiver();
        }
        receiver.onChunk(c);
      } else {
        sender.onResponse((InstallSnapshotResponse) m);
      }
    }
    assertDeliveredIntact();
  }
}
