package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.SessionLimits;
import io.jangada.raft.internal.SessionTable.Outcome;
import io.jangada.raft.model.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The replicated session table: dedup, acknowledgement, expiry, limits, snapshot round trip. */
class SessionTableTest {

  private static final SessionLimits LIMITS =
      new SessionLimits(Duration.ofMillis(1000), 100, 1 << 20);

  /** A state machine that counts its calls and echoes "r:" + the command. */
  private final List<String> executed = new ArrayList<>();

  private final UnaryOperator<Bytes> machine =
      command -> {
        executed.add(command.toUtf8());
        return Bytes.ofUtf8("r:" + command.toUtf8());
      };

  private final SessionTable table = new SessionTable();
  private long index;

  private Outcome open(long time) {
    return apply(SessionEntry.open(7).stamped(time, LIMITS));
  }

  private Outcome command(long client, long seq, long lowest, String cmd, long time) {
    return command(client, seq, lowest, cmd, time, LIMITS);
  }

  private Outcome command(
      long client, long seq, long lowest, String cmd, long time, SessionLimits limits) {
    return apply(
        SessionEntry.command(client, seq, lowest, Bytes.ofUtf8(cmd)).stamped(time, limits));
  }

  private Outcome apply(SessionEntry entry) {
    SessionEntry decoded = SessionEntry.decode(entry.encode()); // also round-trips the encoding
    assertThat(decoded).isEqualTo(entry);
    return table.apply(++index, decoded, machine);
  }

  private static long id(Outcome o) {
    assertThat(o).isInstanceOf(Outcome.Opened.class);
    return ((Outcome.Opened) o).clientId();
  }

  @Test
  void openGivesTheEntryIndexAsClientId() {
    index = 41;
    assertThat(open(0)).isEqualTo(new Outcome.Opened(42));
    assertThat(open(0)).isEqualTo(new Outcome.Opened(43));
    assertThat(table.clientIds()).containsExactly(42L, 43L);
  }

  @Test
  void aRetriedSequenceReturnsTheRememberedResultWithoutRunningAgain() {
    long c = id(open(0));
    assertThat(command(c, 1, 1, "a", 1)).isEqualTo(new Outcome.Applied(Bytes.ofUtf8("r:a")));
    assertThat(command(c, 1, 1, "a", 2)).isEqualTo(new Outcome.Duplicate(Bytes.ofUtf8("r:a")));
    assertThat(command(c, 2, 1, "b", 3)).isEqualTo(new Outcome.Applied(Bytes.ofUtf8("r:b")));
    assertThat(command(c, 1, 1, "a", 4)).isEqualTo(new Outcome.Duplicate(Bytes.ofUtf8("r:a")));
    assertThat(executed).containsExactly("a", "b");
  }

  @Test
  void requestsInFlightMayApplyOutOfOrder() {
    long c = id(open(0));
    assertThat(command(c, 3, 1, "c", 1)).isInstanceOf(Outcome.Applied.class);
    assertThat(command(c, 1, 1, "a", 1)).isInstanceOf(Outcome.Applied.class);
    assertThat(command(c, 2, 1, "b", 1)).isInstanceOf(Outcome.Applied.class);
    assertThat(command(c, 3, 1, "c", 1)).isInstanceOf(Outcome.Duplicate.class);
    assertThat(executed).containsExactly("c", "a", "b");
  }

  @Test
  void acknowledgedResultsAreDroppedAndTheirRetriesRejected() {
    long c = id(open(0));
    command(c, 1, 1, "a", 1);
    command(c, 2, 1, "b", 1);
    long withTwo = table.cachedBytes();
    command(c, 3, 3, "c", 1); // the client has the answers of 1 and 2
    assertThat(table.cachedBytes()).isLessThan(withTwo);
    assertThat(table.cachedBytes()).isEqualTo(SessionTable.RESULT_OVERHEAD_BYTES + 3);

    Outcome late = command(c, 2, 1, "b", 2); // a stale duplicate of 2 arrives
    assertThat(late).isInstanceOf(Outcome.Rejected.class);
    assertThat(((Outcome.Rejected) late).reason())
        .startsWith("session expired: the outcome of sequence 2 is unknown");
    assertThat(executed).containsExactly("a", "b", "c");
    // An older lowest-unacknowledged never moves the acknowledgement back.
    assertThat(command(c, 3, 1, "c", 3)).isInstanceOf(Outcome.Duplicate.class);
  }

  @Test
  void aSessionIdleLongerThanTheTimeoutExpiresByLeaderStamps() {
    long a = id(open(0));
    long b = id(open(0));
    command(a, 1, 1, "a1", 500);
    command(b, 1, 1, "b1", 1000); // a was active at 500: still live (idle 500)
    assertThat(table.contains(a)).isTrue();
    command(b, 2, 2, "b2", 1600); // a idle 1100 > 1000: expires
    assertThat(table.contains(a)).isFalse();
    assertThat(table.expiredCount()).isEqualTo(1);

    Outcome retry = command(a, 1, 1, "a1", 1600);
    assertThat(retry)
        .isEqualTo(
            new Outcome.Rejected(
                a,
                1,
                "session expired: the outcome of sequence 1 is unknown (session "
                    + a
                    + " expired, was evicted or closed)"));
    assertThat(executed).containsExactly("a1", "b1", "b2");
  }

  @Test
  void aLeaderClockThatGoesBackDoesNotRewindTheTable() {
    long a = id(open(5000));
    command(a, 1, 1, "x", 100); // a new leader whose clock is behind
    long b = id(open(6500));
    // a's last activity counts as 5000 (the table's clock), so at 6500 it is idle 1500: expired
    assertThat(table.contains(a)).isFalse();
    assertThat(table.contains(b)).isTrue();
  }

  @Test
  void openingBeyondMaxSessionsEvictsTheLeastRecentlyActive() {
    SessionLimits two = new SessionLimits(Duration.ofHours(1), 2, 1 << 20);
    long a = id(apply(SessionEntry.open(1).stamped(0, two)));
    long b = id(apply(SessionEntry.open(2).stamped(0, two)));
    command(a, 1, 1, "a1", 1, two); // a is now more recent than b
    long c = id(apply(SessionEntry.open(3).stamped(2, two)));
    assertThat(table.clientIds()).containsExactly(a, c);
    assertThat(table.evictedCount()).isEqualTo(1);
    assertThat(command(b, 1, 1, "b1", 3, two)).isInstanceOf(Outcome.Rejected.class);
  }

  @Test
  void cachedBytesBeyondTheLimitEvictTheLeastRecentlyActive() {
    SessionLimits small = new SessionLimits(Duration.ofHours(1), 100, 100);
    long a = id(apply(SessionEntry.open(1).stamped(0, small)));
    long b = id(apply(SessionEntry.open(2).stamped(0, small)));
    command(a, 1, 1, "x".repeat(30), 1, small); // 16 + 32 bytes
    command(b, 1, 1, "y".repeat(30), 2, small); // 96 in all
    assertThat(table.size()).isEqualTo(2);
    command(b, 2, 1, "z", 3, small); // 96 + 19 > 100: a (least recent) goes
    assertThat(table.clientIds()).containsExactly(b);
    assertThat(table.cachedBytes()).isLessThanOrEqualTo(100);
    // b's results survive: its retry is still deduplicated.
    assertThat(command(b, 1, 1, "y".repeat(30), 4, small)).isInstanceOf(Outcome.Duplicate.class);
    assertThat(command(a, 1, 1, "x".repeat(30), 5, small)).isInstanceOf(Outcome.Rejected.class);
  }

  @Test
  void closeRemovesTheSession() {
    long a = id(open(0));
    command(a, 1, 1, "a", 1);
    assertThat(apply(SessionEntry.close(a).stamped(2, LIMITS))).isEqualTo(new Outcome.Closed(a));
    assertThat(table.size()).isZero();
    assertThat(table.cachedBytes()).isZero();
    assertThat(command(a, 1, 1, "a", 3)).isInstanceOf(Outcome.Rejected.class);
    assertThat(apply(SessionEntry.close(a).stamped(4, LIMITS))).isEqualTo(new Outcome.Closed(a));
  }

  @Test
  void aTableRestoredFromItsEncodingBehavesLikeTheOriginal() throws IOException {
    long seed = new SplittableRandom().nextLong();
    System.out.println("SessionTableTest seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    SessionLimits limits = new SessionLimits(Duration.ofMillis(300), 5, 400);
    List<SessionEntry> script = new ArrayList<>();
    List<Long> opened = new ArrayList<>(); // client id = index of the open entry
    for (int i = 0; i < 400; i++) {
      long time = i * 10L;
      int roll = random.nextInt(10);
      SessionEntry e;
      if (roll == 0 || opened.isEmpty()) {
        e = SessionEntry.open(i);
        opened.add(i + 1L);
      } else if (roll == 1) {
        e = SessionEntry.close(anyClient(random, opened, i));
      } else {
        long seq = 1 + random.nextInt(8);
        e =
            SessionEntry.command(
                anyClient(random, opened, i),
                seq,
                1 + random.nextLong(seq),
                Bytes.ofUtf8("c" + random.nextInt(1000)));
      }
      script.add(e.stamped(time, limits));
    }
    // Cut in the first half, so the replayed part is long enough to run commands on both tables.
    int cut = 1 + random.nextInt(script.size() / 2);
    for (int i = 0; i < cut; i++) {
      table.apply(i + 1, script.get(i), machine);
    }
    SessionTable restored = SessionTable.decode(table.encode());
    assertThat(restored.encode()).isEqualTo(table.encode());
    List<String> executedBefore = new ArrayList<>(executed);
    List<Outcome> original = new ArrayList<>();
    List<Outcome> copy = new ArrayList<>();
    for (int i = cut; i < script.size(); i++) {
      original.add(table.apply(i + 1, script.get(i), machine));
      copy.add(
          restored.apply(i + 1, script.get(i), command -> Bytes.ofUtf8("r:" + command.toUtf8())));
    }
    assertThat(copy).as("seed %d, cut at %d", seed, cut).isEqualTo(original);
    assertThat(restored.encode()).isEqualTo(table.encode());
    assertThat(executed.size()).isGreaterThan(executedBefore.size());
  }

  /**
   * Mostly one of the three most recently opened sessions (live ones, so commands do run), now and
   * then any id at all (unknown or expired sessions).
   */
  private static long anyClient(SplittableRandom random, List<Long> opened, int i) {
    if (random.nextInt(5) == 0) {
      return 1 + random.nextInt(i + 1);
    }
    int recent = Math.min(3, opened.size());
    return opened.get(opened.size() - 1 - random.nextInt(recent));
  }

  @Test
  void aDamagedTableIsRejected() {
    long a = id(open(0));
    command(a, 1, 1, "a", 1);
    byte[] bytes = table.encode().toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 2);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SessionTable.decode(Bytes.wrapUnsafe(truncated)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void theSnapshotSectionWrapsTheUsersBytesAndOldSnapshotsReadAsNoSessions() throws IOException {
    long a = id(open(0));
    command(a, 1, 1, "a", 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SnapshotFormat.wrap(table.encode(), o -> o.write(new byte[] {1, 2, 3})).writeTo(out);

    SnapshotFormat.Opened opened = SnapshotFormat.open(new ByteArrayInputStream(out.toByteArray()));
    assertThat(opened.sessions().encode()).isEqualTo(table.encode());
    assertThat(opened.stateMachineData().readAllBytes()).containsExactly(1, 2, 3);

    InputStream legacy = new ByteArrayInputStream(new byte[] {9, 8, 7});
    SnapshotFormat.Opened old = SnapshotFormat.open(legacy);
    assertThat(old.sessions().size()).isZero();
    assertThat(old.stateMachineData().readAllBytes()).containsExactly(9, 8, 7);
  }
}
