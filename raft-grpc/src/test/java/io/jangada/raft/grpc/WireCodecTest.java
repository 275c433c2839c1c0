package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.jangada.raft.contract.TransportContract;
import io.jangada.raft.grpc.proto.Envelope;
import io.jangada.raft.grpc.proto.RaftMessage;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written wire path ({@link OutboundMessage}, {@link OutboundFrame}, {@link FrameDecoder})
 * against the generated protobuf code and {@link ProtoCodec}: the same bytes out, the same results
 * in, for valid and for damaged input.
 */
class WireCodecTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("node-2.example:7001");
  private static final NodeId N3 = NodeId.of("n3");
  private static final Envelope HEADER =
      Envelope.newBuilder()
          .setClusterId("cluster")
          .setSender(N1.value())
          .setSenderAddress("127.0.0.1:7001")
          .build();

  static Stream<Message> messages() {
    return Stream.concat(
        ProtoCodecTest.messages(), TransportContract.oneOfEachKind(N1, N2).stream());
  }

  @ParameterizedTest
  @MethodSource("messages")
  void aMessageIsEncodedToTheBytesTheGeneratedCodeWrites(Message message) {
    byte[] generated =
        Envelope.newBuilder().addMessages(ProtoCodec.encode(message)).build().toByteArray();

    OutboundMessage encoded = OutboundMessage.of(message);

    assertThat(encoded.size()).isEqualTo(generated.length);
    assertThat(encoded.toByteArray()).isEqualTo(generated);
  }

  @ParameterizedTest
  @MethodSource("messages")
  void aFrameOfOneMessageDecodesToIt(Message message) throws Exception {
    InboundFrame decoded = roundTrip(List.of(message));

    assertThat(decoded.parsed()).isTrue();
    assertThat(decoded.clusterId()).isEqualTo("cluster");
    assertThat(decoded.sender()).isEqualTo("n1");
    assertThat(decoded.senderAddress()).isEqualTo("127.0.0.1:7001");
    assertThat(decoded.messages()).containsExactly(message);
  }

  @Test
  void theSameEntriesEncodedForTwoFollowersArriveIntactAtBoth() throws Exception {
    List<LogEntry> entries = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 100; i++) {
      byte[] data = new byte[random.nextInt(300)];
      random.nextBytes(data);
      entries.add(LogEntry.command(11 + i, 3, Bytes.wrapUnsafe(data)));
    }
    Message toN2 = new Message.AppendRequest(N1, N2, 3, 10, 2, entries, 9);
    Message toN3 = new Message.AppendRequest(N1, N3, 3, 10, 2, entries, 9);
    OutboundMessage forN2 = OutboundMessage.of(toN2);
    OutboundMessage forN3 = OutboundMessage.of(toN3);

    // Written twice each (gRPC may write a frame more than once, e.g. on a retry).
    for (int round = 0; round < 2; round++) {
      InboundFrame atN2 = FrameDecoder.decode(frameBytes(forN2), frameBytes(forN2).length);
      InboundFrame atN3 = FrameDecoder.decode(frameBytes(forN3), frameBytes(forN3).length);
      assertThat(atN2.messages()).containsExactly(toN2);
      assertThat(atN3.messages()).containsExactly(toN3);
    }
  }

  @Test
  void aLargeBatchOfManyMessagesWithManyEntriesRoundTrips() throws Exception {
    SplittableRandom random = new SplittableRandom(17);
    List<Message> batch = new ArrayList<>();
    long index = 1;
    for (int m = 0; m < 50; m++) {
      List<LogEntry> entries = new ArrayList<>();
      long first = index;
      for (int i = 0; i < 200; i++) {
        int kind = random.nextInt(4);
        if (kind == 0) {
          entries.add(LogEntry.noop(index++, 7));
        } else if (kind == 1) {
          entries.add(LogEntry.command(index++, 7, Bytes.EMPTY));
        } else {
          byte[] data = new byte[random.nextInt(kind == 2 ? 20 : 5000)];
          random.nextBytes(data);
          entries.add(LogEntry.command(index++, 7, Bytes.wrapUnsafe(data)));
        }
      }
      batch.add(new Message.AppendRequest(N1, N2, 7, first - 1, 7, entries, first - 1));
      batch.add(new Message.Heartbeat(N1, N2, 7, first - 1, m));
    }

    InboundFrame decoded = roundTrip(batch);

    assertThat(decoded.messages()).containsExactlyElementsOf(batch);
  }

  @Test
  void fieldsInAnotherOrderUnknownFieldsAndTwoBodiesDecodeAsTheGeneratedCodeDoes()
      throws Exception {
    RaftMessage append =
        ProtoCodec.encode(
            new Message.AppendRequest(
                N1, N2, 4, 1, 1, List.of(LogEntry.command(2, 4, Bytes.ofUtf8("x"))), 1));
    UnknownFieldSet unknown =
        UnknownFieldSet.newBuilder()
            .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(5).build())
            .addField(7, UnknownFieldSet.Field.newBuilder().addFixed32(1).build())
            .build();
    RaftMessage withUnknown =
        append.toBuilder()
            .setUnknownFields(unknown)
            .setAppendRequest(
                append.getAppendRequest().toBuilder()
                    .setUnknownFields(unknown)
                    .setEntries(
                        0,
                        append.getAppendRequest().getEntries(0).toBuilder()
                            .setUnknownFields(unknown)))
            .build();
    // The body first, then the header fields; the term twice (the last one wins).
    ByteArrayOutputStream reordered = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(reordered);
    out.writeMessage(RaftMessage.APPEND_REQUEST_FIELD_NUMBER, append.getAppendRequest());
    out.writeUInt64(3, 99);
    out.writeString(2, N2.value());
    out.writeString(1, N1.value());
    out.writeUInt64(3, 4);
    out.flush();
    // A second body: the generated code keeps the last one.
    RaftMessage twoBodies =
        RaftMessage.parseFrom(
            ByteString.copyFrom(append.toByteArray())
                .concat(ProtoCodec.encode(new Message.TimeoutNow(N1, N2, 4)).toByteString()));

    for (ByteString message :
        List.of(
            withUnknown.toByteString(),
            ByteString.copyFrom(reordered.toByteArray()),
            twoBodies.toByteString(),
            ByteString.copyFrom(append.toByteArray())
                .concat(append.toByteString()))) { // the body twice: merged
      byte[] frame =
          HEADER.toBuilder().addMessages(RaftMessage.parseFrom(message)).build().toByteArray();
      byte[] raw = concat(HEADER.toByteArray(), messageField(message));
      assertThat(describe(decode(raw))).isEqualTo(reference(raw));
      assertThat(describe(decode(frame))).isEqualTo(reference(frame));
    }
  }

  @Test
  void anInvalidMessageIsRejectedAloneAndTheOthersOfTheFrameDecode() throws Exception {
    Message good = new Message.Heartbeat(N1, N2, 2, 1, 1);
    RaftMessage badEntry =
        ProtoCodec.encode(
                new Message.AppendRequest(
                    N1, N2, 2, 0, 0, List.of(LogEntry.command(1, 2, Bytes.ofUtf8("y"))), 0))
            .toBuilder()
            .setAppendRequest(
                ProtoCodec.encode(
                        new Message.AppendRequest(
                            N1, N2, 2, 0, 0, List.of(LogEntry.command(1, 2, Bytes.ofUtf8("y"))), 0))
                    .getAppendRequest()
                    .toBuilder()
                    .setEntries(
                        0,
                        io.jangada.raft.grpc.proto.LogEntry.newBuilder()
                            .setIndex(0)
                            .setTerm(2)
                            .setTypeValue(1)))
            .build();
    RaftMessage unknownType =
        badEntry.toBuilder()
            .setAppendRequest(
                badEntry.getAppendRequest().toBuilder()
                    .setEntries(
                        0,
                        io.jangada.raft.grpc.proto.LogEntry.newBuilder()
                            .setIndex(1)
                            .setTerm(2)
                            .setTypeValue(42)))
            .build();
    byte[] frame =
        HEADER.toBuilder()
            .addMessages(ProtoCodec.encode(good))
            .addMessages(badEntry)
            .addMessages(unknownType)
            .addMessages(ProtoCodec.encode(good))
            .build()
            .toByteArray();

    InboundFrame decoded = decode(frame);

    assertThat(decoded.messages()).hasSize(4);
    assertThat(decoded.messages().get(0)).isEqualTo(good);
    assertThat(decoded.messages().get(1)).isInstanceOf(InboundFrame.Rejected.class);
    assertThat(decoded.messages().get(2)).isInstanceOf(InboundFrame.Rejected.class);
    assertThat(decoded.messages().get(3)).isEqualTo(good);
    assertThat(describe(decoded)).isEqualTo(reference(frame));
  }

  @Test
  void framesFromManyDifferentSendersDecodeCorrectlyThoughOnlyAFewStringsAreKept()
      throws Exception {
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 40; i++) {
        NodeId sender = NodeId.of("sender-" + i);
        Envelope header =
            HEADER.toBuilder().setSender(sender.value()).setClusterId("cluster-" + i % 3).build();
        Message message =
            new Message.AppendResponse(sender, NodeId.of("r" + i % 5), i, true, i, 0, 0);
        OutboundMessage encoded = OutboundMessage.of(message);
        byte[] frame =
            new OutboundFrame(
                    header.toByteArray(),
                    List.of(encoded),
                    header.getSerializedSize() + encoded.size())
                .toByteArray();

        InboundFrame decoded = FrameDecoder.decode(frame, frame.length);

        assertThat(decoded.sender()).isEqualTo(sender.value());
        assertThat(decoded.clusterId()).isEqualTo("cluster-" + i % 3);
        assertThat(decoded.messages()).containsExactly(message);
      }
    }
  }

  @Test
  void aStringThatIsNotUtf8MakesTheFrameMalformedAsInTheGeneratedCode() throws Exception {
    byte[] frame = frameBytes(List.of(new Message.Heartbeat(N1, N2, 1, 0, 0)));
    int at = indexOf(frame, "node-2".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (byte bad : new byte[] {(byte) 0xc0, (byte) 0xed, (byte) 0xff, (byte) 0x80}) {
      byte[] damaged = frame.clone();
      damaged[at] = bad;
      assertThat(describe(decode(damaged))).isEqualTo(List.of("malformed"));
      assertThat(reference(damaged)).isEqualTo(List.of("malformed"));
    }
  }

  /**
   * Differential: damaged frames (bytes flipped, cut, inserted) decode exactly as the generated
   * parser and {@link ProtoCodec} would have them: both malformed, or the same header and, message
   * by message, the same record or both rejected.
   */
  @Test
  void damagedFramesDecodeAsTheGeneratedCodeDecodesThem() throws Exception {
    long seed = System.nanoTime();
    System.out.println("WireCodecTest damaged frames seed: " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    List<Message> samples = messages().filter(m -> OutboundMessage.of(m).size() < 10_000).toList();
    int malformed = 0;
    for (int round = 0; round < 3000; round++) {
      List<Message> batch = new ArrayList<>();
      for (int i = 1 + random.nextInt(3); i > 0; i--) {
        Message m = samples.get(random.nextInt(samples.size()));
        if (m instanceof Message.AppendRequest a && a.entries().size() > 8) {
          m =
              new Message.AppendRequest(
                  a.from(),
                  a.to(),
                  a.term(),
                  a.prevLogIndex(),
                  a.prevLogTerm(),
                  a.entries().subList(0, 8),
                  a.leaderCommit());
        }
        batch.add(m);
      }
      byte[] frame = frameBytes(batch);
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(frame.length);
        switch (random.nextInt(4)) {
          case 0 -> frame[at] = (byte) random.nextInt(256);
          case 1 -> frame[at] ^= (byte) (1 << random.nextInt(8));
          case 2 -> frame = Arrays.copyOf(frame, at);
          default -> {
            byte[] longer = new byte[frame.length + 1];
            System.arraycopy(frame, 0, longer, 0, at);
            longer[at] = (byte) random.nextInt(256);
            System.arraycopy(frame, at, longer, at + 1, frame.length - at);
            frame = longer;
          }
        }
        if (frame.length == 0) {
          break;
        }
      }
      List<Object> expected = reference(frame);
      assertThat(describe(decode(frame)))
          .as("seed %d round %d frame %s", seed, round, Arrays.toString(frame))
          .isEqualTo(expected);
      if (expected.equals(List.of("malformed"))) {
        malformed++;
      }
    }
    assertThat(malformed).as("some damaged frames are malformed, some not").isBetween(1, 2999);
  }

  // --- helpers ---

  private static InboundFrame roundTrip(List<Message> messages) throws Exception {
    byte[] bytes = frameBytes(messages);
    // The decoder reads a prefix of a (reused, larger) buffer.
    byte[] buffer = Arrays.copyOf(bytes, bytes.length + 100);
    Arrays.fill(buffer, bytes.length, buffer.length, (byte) 0x55);
    return FrameDecoder.decode(buffer, bytes.length);
  }

  private static byte[] frameBytes(List<Message> messages) {
    List<OutboundMessage> encoded = messages.stream().map(OutboundMessage::of).toList();
    int size = HEADER.getSerializedSize() + encoded.stream().mapToInt(OutboundMessage::size).sum();
    byte[] bytes = new OutboundFrame(HEADER.toByteArray(), encoded, size).toByteArray();
    assertThat(bytes).hasSize(size);
    return bytes;
  }

  private static byte[] frameBytes(OutboundMessage message) {
    return new OutboundFrame(
            HEADER.toByteArray(), List.of(message), HEADER.getSerializedSize() + message.size())
        .toByteArray();
  }

  private static InboundFrame decode(byte[] frame) {
    try {
      return FrameDecoder.decode(frame, frame.length);
    } catch (InvalidProtocolBufferException e) {
      return InboundFrame.malformed(String.valueOf(e.getMessage()));
    }
  }

  /** The frame as a comparable value: "malformed", or the header fields and each result. */
  private static List<Object> describe(InboundFrame frame) {
    if (!frame.parsed()) {
      return List.of("malformed");
    }
    List<Object> result =
        new ArrayList<>(List.of(frame.clusterId(), frame.sender(), frame.senderAddress()));
    for (Object m : frame.messages()) {
      result.add(m instanceof Message ? m : "rejected");
    }
    return result;
  }

  /** What the generated parser and ProtoCodec make of {@code frame}, as {@link #describe}. */
  private static List<Object> reference(byte[] frame) {
    Envelope envelope;
    try {
      envelope = Envelope.parseFrom(frame);
    } catch (InvalidProtocolBufferException e) {
      return List.of("malformed");
    }
    List<Object> result =
        new ArrayList<>(
            List.of(envelope.getClusterId(), envelope.getSender(), envelope.getSenderAddress()));
    for (RaftMessage proto : envelope.getMessagesList()) {
      try {
        result.add(ProtoCodec.decode(proto));
      } catch (ProtoCodec.MalformedMessageException e) {
        result.add("rejected");
      }
    }
    return result;
  }

  private static byte[] messageField(ByteString message) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeBytes(Envelope.MESSAGES_FIELD_NUMBER, message);
    out.flush();
    return bytes.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
