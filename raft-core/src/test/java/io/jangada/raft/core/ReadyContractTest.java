package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Ready/advance contract between the core and its driver. */
class ReadyContractTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  private static LogEntry cmd(long index, long term, String data) {
    return LogEntry.command(index, term, Bytes.ofUtf8(data));
  }

  /**
   * ready() refuses an empty Ready; a Ready may be taken while an earlier one is outstanding, but
   * never hands out again what an earlier one did.
   */
  @Test
  void readyRequiresSomethingToHandOutAndNeverRepeats() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    RaftCore n1 = net.core("n1");
    assertThat(n1.hasReady()).isFalse();
    assertThatThrownBy(n1::ready).isInstanceOf(IllegalStateException.class);
    n1.campaign();
    Ready r = n1.ready();
    assertThat(r.messages()).hasSize(2);
    n1.tick();
    assertThat(n1.hasReady()).isFalse(); // the vote requests and the term went out with r
    assertThatThrownBy(n1::ready).isInstanceOf(IllegalStateException.class);
    assertThat(n1.readysOutstanding()).isEqualTo(1);
    n1.advance(r);
    assertThat(n1.readysOutstanding()).isZero();
  }

  /** advance() rejects a Ready it did not hand out, or one handed out before. */
  @Test
  void advanceRejectsForeignOrOldReady() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    RaftCore n1 = net.core("n1");
    n1.campaign();
    Ready r = n1.ready();
    Ready forged =
        new Ready(
            r.id(),
            Optional.empty(),
            List.of(),
            Optional.empty(),
            List.of(),
            List.of(),
            List.of(),
            false,
            r.membership(),
            r.membershipIndex());
    assertThatThrownBy(() -> n1.advance(forged)).isInstanceOf(IllegalStateException.class);
    n1.advance(r);
    assertThatThrownBy(() -> n1.advance(r)).isInstanceOf(IllegalStateException.class);
  }

  /** A leader counts its own copy of an entry only once the Ready holding it is advanced. */
  @Test
  void leaderCountsOwnEntryOnlyAfterAdvance() {
    Net net = new Net(Net.PLAIN, "n1");
    RaftCore n1 = net.core("n1");
    n1.campaign();
    Ready first = n1.ready();
    assertThat(first.entries()).containsExactly(LogEntry.noop(1, 1));
    assertThat(n1.status().commitIndex()).isZero();
    net.node("n1").log.append(first.entries());
    assertThat(n1.status().commitIndex()).isZero(); // written, but not yet confirmed by advance
    n1.advance(first);
    assertThat(n1.status().commitIndex()).isEqualTo(1);
    Ready second = n1.ready();
    assertThat(second.hardState()).contains(new HardState(1, Optional.of(N1), 1));
    assertThat(second.committed()).containsExactly(LogEntry.noop(1, 1));
    assertThat(second.mustSync()).isFalse(); // a commit-only change needs no sync
    n1.advance(second);
    assertThat(n1.status().appliedIndex()).isEqualTo(1);
  }

  /**
   * An entry handed out and then replaced before advance does not become stable: only entries still
   * in the log with the same term do (etcd's stableTo).
   */
  @Test
  void entryReplacedBeforeAdvanceDoesNotBecomeStable() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    RaftCore n2 = net.core("n2");
    n2.step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "a"), cmd(2, 1, "b")), 0));
    Ready r1 = n2.ready();
    assertThat(r1.entries()).hasSize(2);
    net.node("n2").log.append(r1.entries());
    // Before advance, a new leader of term 2 replaces entry 2.
    n2.step(new AppendRequest(N1, N2, 2, 1, 1, List.of(cmd(2, 2, "c")), 0));
    n2.advance(r1);
    Ready r2 = n2.ready();
    assertThat(r2.entries()).containsExactly(cmd(2, 2, "c"));
    assertThat(Describe.messages(r2.messages())).isEqualTo("n2->n1 AppendResponse t2 ok match=2");
    net.node("n2").log.append(r2.entries());
    n2.advance(r2);
    n2.assertInvariants();
    assertThat(n2.status().lastIndex()).isEqualTo(2);
    assertThat(n2.hasReady()).isFalse();
  }

  /** Committed entries handed out per Ready are bounded by maxCommittedBytesPerReady. */
  @Test
  void committedEntriesAreBoundedPerReady() {
    InMemoryLogStorage log = new InMemoryLogStorage();
    log.append(List.of(cmd(1, 1, "a"), cmd(2, 1, "b"), cmd(3, 1, "c")));
    RaftConfig config = Net.PLAIN.toBuilder().maxCommittedBytesPerReady(1).build();
    RaftCore core =
        RaftCore.open(
            N2,
            config,
            Net.membershipOf("n1", "n2"),
            log,
            new HardState(1, Optional.empty(), 3),
            1,
            new SplittableRandom(1));
    Ready r = core.ready();
    assertThat(r.committed()).containsExactly(cmd(2, 1, "b"));
    core.advance(r);
    assertThat(core.ready().committed()).containsExactly(cmd(3, 1, "c"));
  }

  /** Entries after the applied index given to open() and up to commit are handed out again. */
  @Test
  void entriesAfterAppliedAreReplayedOnOpen() {
    Net net = new Net(Net.PLAIN, "n1", "n2", "n3");
    net.elect("n1");
    net.propose("n1", "x");
    net.stabilize();
    net.tickAll(1);
    net.node("n2").appliedIndex = 1;
    net.node("n2").applied.clear();
    net.restart("n2");
    net.flush("n2");
    assertThat(net.applied("n2")).containsExactly("2/1 CMD \"x\"");
  }

  /** Term or vote changes, and new entries, must be synced; the messages come in the same Ready. */
  @Test
  void entriesAndVotesRequireSyncBeforeSending() {
    Net net = new Net(Net.PLAIN, "n1", "n2");
    RaftCore n2 = net.core("n2");
    n2.step(new AppendRequest(N1, N2, 1, 0, 0, List.of(cmd(1, 1, "a")), 0));
    Ready r = n2.ready();
    assertThat(r.mustSync()).isTrue();
    assertThat(r.entries()).containsExactly(cmd(1, 1, "a"));
    assertThat(Describe.messages(r.messages())).isEqualTo("n2->n1 AppendResponse t1 ok match=1");
    net.node("n2").log.append(r.entries());
    n2.advance(r);
    n2.step(new Heartbeat(N1, N2, 1, 1, 0));
    Ready commitOnly = n2.ready();
    assertThat(commitOnly.mustSync()).isFalse();
    assertThat(commitOnly.hardState()).contains(new HardState(1, Optional.empty(), 1));
  }
}
