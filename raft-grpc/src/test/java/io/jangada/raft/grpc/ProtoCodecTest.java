package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.grpc.proto.EntryType;
import io.jangada.raft.grpc.proto.RaftMessage;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProtoCodecTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("node-2.example:7001");

  /** A joint configuration with learners and addresses. */
  static Membership joint() {
    java.util.TreeMap<NodeId, String> addresses = new java.util.TreeMap<>();
    addresses.put(N1, "127.0.0.1:7101");
    addresses.put(NodeId.of("n4"), "[::1]:7104");
    return new Membership(
        new TreeSet<>(Set.of(N1, NodeId.of("n4"))),
        new TreeSet<>(Set.of(NodeId.of("n3"))),
        new TreeSet<>(Set.of(N1, N2, NodeId.of("n3"))),
        addresses);
  }

  static Stream<Message> messages() {
    long seed = 11;
    SplittableRandom random = new SplittableRandom(seed);
    byte[] big = new byte[1 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) random.nextInt(256);
    }
    Membership withLearners =
        new Membership(
            new TreeSet<>(Set.of(N1, N2, NodeId.of("n3"))),
            new TreeSet<>(Set.of(NodeId.of("l1"), NodeId.of("l2"))));
    List<LogEntry> sixtyFour = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] payload = new byte[100];
      random.nextBytes(payload);
      sixtyFour.add(LogEntry.command(1001 + i, 9, Bytes.wrapUnsafe(payload)));
    }
    List<Message> edge =
        List.of(
            // empty entries (a probe) and zero everywhere
            new Message.AppendRequest(N1, N2, 0, 0, 0, List.of(), 0),
            new Message.AppendRequest(N1, N2, 9, 1000, 9, sixtyFour, 1000),
            // every entry type, including an empty command
            new Message.AppendRequest(
                N1,
                N2,
                Long.MAX_VALUE,
                Long.MAX_VALUE - 4,
                Long.MAX_VALUE,
                List.of(
                    LogEntry.command(Long.MAX_VALUE - 3, 1, Bytes.EMPTY),
                    LogEntry.noop(Long.MAX_VALUE - 2, 2),
                    LogEntry.membership(Long.MAX_VALUE - 1, 3, withLearners),
                    LogEntry.command(Long.MAX_VALUE, Long.MAX_VALUE, Bytes.wrapUnsafe(big))),
                Long.MAX_VALUE),
            new Message.InstallSnapshot(
                N1,
                N2,
                3,
                new SnapshotMeta(Long.MAX_VALUE, 3, withLearners),
                Long.MAX_VALUE,
                Bytes.wrapUnsafe(big),
                false,
                0),
            new Message.InstallSnapshot(
                N1,
                N2,
                3,
                new SnapshotMeta(1, 1, Membership.ofVoters(N1)),
                0,
                Bytes.EMPTY,
                true,
                -1L),
            // a joint configuration with addresses, in a snapshot and in an entry
            new Message.InstallSnapshot(
                N1, N2, 4, new SnapshotMeta(90, 4, joint(), 77), 0, Bytes.EMPTY, true, 5L),
            new Message.AppendRequest(
                N1, N2, 4, 77, 4, List.of(LogEntry.membership(78, 4, joint())), 77),
            new Message.ReadIndexRequest(N1, N2, 1, Long.MIN_VALUE),
            new Message.ReadIndexResponse(N1, N2, 1, Long.MAX_VALUE, 0, false),
            new Message.VoteRequest(N1, N2, 1, 0, 0, false, false),
            new Message.AppendResponse(N1, N2, 1, true, Long.MAX_VALUE, 0, 0));
    return Stream.concat(TransportContract.oneOfEachKind(N1, N2).stream(), edge.stream());
  }

  @ParameterizedTest
  @MethodSource("messages")
  void everyMessageRoundTrips(Message message) throws Exception {
    RaftMessage proto = ProtoCodec.encode(message);
    RaftMessage reparsed = RaftMessage.parseFrom(proto.toByteArray());

    assertThat(ProtoCodec.decode(reparsed)).isEqualTo(message);
  }

  @Test
  void theSamplesCoverEveryMessageKind() {
    Set<Class<?>> covered =
        TransportContract.oneOfEachKind(N1, N2).stream()
            .map(Object::getClass)
            .collect(Collectors.toSet());
    assertThat(covered).containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
    assertThat(RaftMessage.BodyCase.values()).hasSize(covered.size() + 1); // + BODY_NOT_SET
    assertThat(Arrays.stream(EntryType.values()).filter(t -> t != EntryType.UNRECOGNIZED))
        .hasSize(io.jangada.raft.model.EntryType.values().length + 1); // + UNSPECIFIED
  }

  private static RaftMessage valid() {
    return ProtoCodec.encode(TransportContract.oneOfEachKind(N1, N2).get(2)); // AppendRequest
  }

  @Test
  void aMessageWithoutBodyIsMalformed() {
    RaftMessage proto = valid().toBuilder().clearBody().build();
    assertThatThrownBy(() -> ProtoCodec.decode(proto))
        .isInstanceOf(ProtoCodec.MalformedMessageException.class)
        .hasMessageContaining("no (known) body");
  }

  @Test
  void invalidHeaderValuesAreMalformed() {
    assertMalformed(valid().toBuilder().setFrom("").build(), "blank");
    assertMalformed(valid().toBuilder().setTo("has space").build(), "whitespace");
    assertMalformed(valid().toBuilder().setTerm(-1).build(), "term must be >= 0"); // 2^64-1
  }

  @Test
  void invalidBodiesAreMalformed() {
    RaftMessage append = valid();
    var entries = append.getAppendRequest().toBuilder();
    entries.setEntries(1, entries.getEntries(1).toBuilder().setIndex(42));
    assertMalformed(append.toBuilder().setAppendRequest(entries).build(), "contiguous");

    var unknownType = append.getAppendRequest().toBuilder();
    unknownType.setEntries(0, unknownType.getEntries(0).toBuilder().setTypeValue(99));
    assertMalformed(append.toBuilder().setAppendRequest(unknownType).build(), "entry type");

    var unspecified = append.getAppendRequest().toBuilder();
    unspecified.setEntries(0, unspecified.getEntries(0).toBuilder().setTypeValue(0));
    assertMalformed(append.toBuilder().setAppendRequest(unspecified).build(), "entry type");

    RaftMessage snapshot = ProtoCodec.encode(TransportContract.oneOfEachKind(N1, N2).get(6));
    assertMalformed(
        snapshot.toBuilder()
            .setInstallSnapshot(snapshot.getInstallSnapshot().toBuilder().clearMeta())
            .build(),
        "without meta");
    var meta = snapshot.getInstallSnapshot().getMeta().toBuilder();
    meta.getMembershipBuilder().clearVoters();
    assertMalformed(
        snapshot.toBuilder()
            .setInstallSnapshot(snapshot.getInstallSnapshot().toBuilder().setMeta(meta))
            .build(),
        "at least one voter");
    var learnerVoter = snapshot.getInstallSnapshot().getMeta().toBuilder();
    learnerVoter.getMembershipBuilder().addLearners("n1");
    assertMalformed(
        snapshot.toBuilder()
            .setInstallSnapshot(snapshot.getInstallSnapshot().toBuilder().setMeta(learnerVoter))
            .build(),
        "both a voter and a learner");
  }

  private static void assertMalformed(RaftMessage proto, String reason) {
    assertThatThrownBy(() -> ProtoCodec.decode(proto))
        .isInstanceOf(ProtoCodec.MalformedMessageException.class)
        .hasMessageContaining(reason);
  }
}
