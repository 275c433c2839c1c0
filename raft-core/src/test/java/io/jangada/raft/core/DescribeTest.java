package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.Message.ReadIndexRequest;
import io.jangada.raft.model.Message.ReadIndexResponse;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.Message.VoteResponse;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Describe text is part of the golden files, so its format is pinned here. */
class DescribeTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  /** Every message kind has a stable one-line description. */
  @Test
  void everyMessageKindHasStableText() {
    Membership m = Membership.ofVoters(N1, N2);
    List<Message> messages =
        List.of(
            new VoteRequest(N1, N2, 2, 5, 1, true, false),
            new VoteResponse(N2, N1, 2, false, true),
            new AppendRequest(
                N1,
                N2,
                2,
                5,
                1,
                List.of(
                    LogEntry.command(6, 2, Bytes.ofUtf8("x")),
                    LogEntry.noop(7, 2),
                    LogEntry.membership(8, 2, m)),
                5),
            new AppendResponse(N2, N1, 2, false, 0, 4, 1),
            new Heartbeat(N1, N2, 2, 5, 3),
            new HeartbeatResponse(N2, N1, 2, 3),
            new InstallSnapshot(
                N1, N2, 2, new SnapshotMeta(10, 2, m), 0, Bytes.ofUtf8("abc"), true, 7),
            new InstallSnapshotResponse(N2, N1, 2, 10, 3, true),
            new TimeoutNow(N1, N2, 2),
            new ReadIndexRequest(N2, N1, 2, 9),
            new ReadIndexResponse(N1, N2, 2, 9, 5, true));
    assertThat(Describe.messages(messages))
        .isEqualTo(
            String.join(
                "\n",
                "n1->n2 VoteRequest t2 last=5/1 pre",
                "n2->n1 VoteResponse t2 granted",
                "n1->n2 AppendRequest t2 prev=5/1 commit=5 entries=[6/2 CMD \"x\", 7/2 NOOP,"
                    + " 8/2 CONF voters=[n1, n2]]",
                "n2->n1 AppendResponse t2 reject conflict=4/1",
                "n1->n2 Heartbeat t2 commit=5 round=3",
                "n2->n1 HeartbeatResponse t2 round=3",
                "n1->n2 InstallSnapshot t2 snap=10/2 offset=0 len=3 last",
                "n2->n1 InstallSnapshotResponse t2 snap=10 next=3 ok",
                "n1->n2 TimeoutNow t2",
                "n2->n1 ReadIndexRequest t2 id=9",
                "n1->n2 ReadIndexResponse t2 id=9 index=5 ok"));
  }

  /** A Ready is described one fact per line, leaving out empty parts. */
  @Test
  void readyIsDescribedOneFactPerLine() {
    Ready r =
        new Ready(
            3,
            Optional.of(new HardState(2, Optional.of(N1), 1)),
            List.of(LogEntry.noop(2, 2)),
            Optional.empty(),
            List.of(new TimeoutNow(N1, N2, 2)),
            List.of(LogEntry.noop(1, 1)),
            List.of(new ReadState(4, 1, true)),
            true,
            Membership.ofVoters(N1, N2),
            0);
    assertThat(Describe.ready(r))
        .isEqualTo(
            String.join(
                "\n",
                "hardState term=2 vote=n1 commit=1",
                "entries [2/2 NOOP]",
                "committed [1/1 NOOP]",
                "send n1->n2 TimeoutNow t2",
                "read id=4 index=1 ok",
                "mustSync"));
  }
}
