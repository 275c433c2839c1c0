package io.jangada.raft.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.jangada.raft.grpc.proto.RaftMessage;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
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
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Converts between {@link Message} records and their protobuf form. Stateless and thread-safe.
 *
 * <p>{@link #encode} holds the single dispatch point over the sealed message set. {@link #decode}
 * treats its input as untrusted: anything the records' constructors reject (negative numbers, blank
 * ids, non-contiguous entries, unknown entry types, a missing body) becomes a {@link
 * MalformedMessageException}, never a partially built message.
 */
final class ProtoCodec {

  private ProtoCodec() {}

  /** A frame that does not decode to a valid {@link Message}. */
  static final class MalformedMessageException extends Exception {
    MalformedMessageException(String reason, Throwable cause) {
      super(reason, cause);
    }

    MalformedMessageException(String reason) {
      super(reason);
    }
  }

  /** The protobuf form of {@code message}. Byte payloads are wrapped, not copied. */
  static RaftMessage encode(Message message) {
    RaftMessage.Builder b =
        RaftMessage.newBuilder()
            .setFrom(message.from().value())
            .setTo(message.to().value())
            .setTerm(message.term());
    if (message instanceof VoteRequest m) {
      b.setVoteRequest(
          io.jangada.raft.grpc.proto.VoteRequest.newBuilder()
              .setLastLogIndex(m.lastLogIndex())
              .setLastLogTerm(m.lastLogTerm())
              .setPreVote(m.preVote())
              .setTransfer(m.transfer()));
    } else if (message instanceof VoteResponse m) {
      b.setVoteResponse(
          io.jangada.raft.grpc.proto.VoteResponse.newBuilder()
              .setPreVote(m.preVote())
              .setGranted(m.granted()));
    } else if (message instanceof AppendRequest m) {
      io.jangada.raft.grpc.proto.AppendRequest.Builder a =
          io.jangada.raft.grpc.proto.AppendRequest.newBuilder()
              .setPrevLogIndex(m.prevLogIndex())
              .setPrevLogTerm(m.prevLogTerm())
              .setLeaderCommit(m.leaderCommit());
      for (LogEntry e : m.entries()) {
        a.addEntries(encodeEntry(e));
      }
      b.setAppendRequest(a);
    } else if (message instanceof AppendResponse m) {
      b.setAppendResponse(
          io.jangada.raft.grpc.proto.AppendResponse.newBuilder()
              .setSuccess(m.success())
              .setMatchIndex(m.matchIndex())
              .setConflictIndex(m.conflictIndex())
              .setConflictTerm(m.conflictTerm()));
    } else if (message instanceof Heartbeat m) {
      b.setHeartbeat(
          io.jangada.raft.grpc.proto.Heartbeat.newBuilder()
              .setCommit(m.commit())
              .setRound(m.round()));
    } else if (message instanceof HeartbeatResponse m) {
      b.setHeartbeatResponse(
          io.jangada.raft.grpc.proto.HeartbeatResponse.newBuilder().setRound(m.round()));
    } else if (message instanceof InstallSnapshot m) {
      b.setInstallSnapshot(
          io.jangada.raft.grpc.proto.InstallSnapshot.newBuilder()
              .setMeta(encodeMeta(m.meta()))
              .setOffset(m.offset())
              .setData(wrap(m.data()))
              .setLast(m.last())
              .setChecksum(m.checksum()));
    } else if (message instanceof InstallSnapshotResponse m) {
      b.setInstallSnapshotResponse(
          io.jangada.raft.grpc.proto.InstallSnapshotResponse.newBuilder()
              .setSnapshotIndex(m.snapshotIndex())
              .setNextOffset(m.nextOffset())
              .setSuccess(m.success()));
    } else if (message instanceof TimeoutNow) {
      b.setTimeoutNow(io.jangada.raft.grpc.proto.TimeoutNow.getDefaultInstance());
    } else if (message instanceof ReadIndexRequest m) {
      b.setReadIndexRequest(
          io.jangada.raft.grpc.proto.ReadIndexRequest.newBuilder().setRequestId(m.requestId()));
    } else if (message instanceof ReadIndexResponse m) {
      b.setReadIndexResponse(
          io.jangada.raft.grpc.proto.ReadIndexResponse.newBuilder()
              .setRequestId(m.requestId())
              .setReadIndex(m.readIndex())
              .setSuccess(m.success()));
    } else if (message instanceof Message.ForwardProposal m) {
      b.setForwardProposal(
          io.jangada.raft.grpc.proto.ForwardProposal.newBuilder().setRequest(wrap(m.request())));
    } else {
      throw new AssertionError(message);
    }
    return b.build();
  }

  /**
   * The record {@code proto} describes.
   *
   * @throws MalformedMessageException if {@code proto} is not a valid message
   */
  static Message decode(RaftMessage proto) throws MalformedMessageException {
    try {
      return decodeUnchecked(proto);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new MalformedMessageException(
          "invalid " + proto.getBodyCase() + ": " + e.getMessage(), e);
    }
  }

  private static Message decodeUnchecked(RaftMessage p) throws MalformedMessageException {
    NodeId from = new NodeId(p.getFrom());
    NodeId to = new NodeId(p.getTo());
    long term = p.getTerm();
    switch (p.getBodyCase()) {
      case VOTE_REQUEST:
        {
          var m = p.getVoteRequest();
          return new VoteRequest(
              from,
              to,
              term,
              m.getLastLogIndex(),
              m.getLastLogTerm(),
              m.getPreVote(),
              m.getTransfer());
        }
      case VOTE_RESPONSE:
        {
          var m = p.getVoteResponse();
          return new VoteResponse(from, to, term, m.getPreVote(), m.getGranted());
        }
      case APPEND_REQUEST:
        {
          var m = p.getAppendRequest();
          List<LogEntry> entries = new ArrayList<>(m.getEntriesCount());
          for (io.jangada.raft.grpc.proto.LogEntry e : m.getEntriesList()) {
            entries.add(decodeEntry(e));
          }
          return new AppendRequest(
              from,
              to,
              term,
              m.getPrevLogIndex(),
              m.getPrevLogTerm(),
              entries,
              m.getLeaderCommit());
        }
      case APPEND_RESPONSE:
        {
          var m = p.getAppendResponse();
          return new AppendResponse(
              from,
              to,
              term,
              m.getSuccess(),
              m.getMatchIndex(),
              m.getConflictIndex(),
              m.getConflictTerm());
        }
      case HEARTBEAT:
        return new Heartbeat(
            from, to, term, p.getHeartbeat().getCommit(), p.getHeartbeat().getRound());
      case HEARTBEAT_RESPONSE:
        return new HeartbeatResponse(from, to, term, p.getHeartbeatResponse().getRound());
      case INSTALL_SNAPSHOT:
        {
          var m = p.getInstallSnapshot();
          if (!m.hasMeta()) {
            throw new MalformedMessageException("InstallSnapshot without meta");
          }
          return new InstallSnapshot(
              from,
              to,
              term,
              decodeMeta(m.getMeta()),
              m.getOffset(),
              unwrap(m.getData()),
              m.getLast(),
              m.getChecksum());
        }
      case INSTALL_SNAPSHOT_RESPONSE:
        {
          var m = p.getInstallSnapshotResponse();
          return new InstallSnapshotResponse(
              from, to, term, m.getSnapshotIndex(), m.getNextOffset(), m.getSuccess());
        }
      case TIMEOUT_NOW:
        return new TimeoutNow(from, to, term);
      case READ_INDEX_REQUEST:
        return new ReadIndexRequest(from, to, term, p.getReadIndexRequest().getRequestId());
      case READ_INDEX_RESPONSE:
        {
          var m = p.getReadIndexResponse();
          return new ReadIndexResponse(
              from, to, term, m.getRequestId(), m.getReadIndex(), m.getSuccess());
        }
      case FORWARD_PROPOSAL:
        return new Message.ForwardProposal(
            from, to, term, unwrap(p.getForwardProposal().getRequest()));
      case BODY_NOT_SET:
      default:
        throw new MalformedMessageException("message has no (known) body: " + p.getBodyCase());
    }
  }

  private static io.jangada.raft.grpc.proto.LogEntry encodeEntry(LogEntry e) {
    return io.jangada.raft.grpc.proto.LogEntry.newBuilder()
        .setIndex(e.index())
        .setTerm(e.term())
        .setType(encodeType(e.type()))
        .setData(wrap(e.data()))
        .build();
  }

  private static LogEntry decodeEntry(io.jangada.raft.grpc.proto.LogEntry e)
      throws MalformedMessageException {
    return new LogEntry(e.getIndex(), e.getTerm(), decodeType(e.getType()), unwrap(e.getData()));
  }

  private static io.jangada.raft.grpc.proto.EntryType encodeType(EntryType type) {
    switch (type) {
      case COMMAND:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_COMMAND;
      case NOOP:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_NOOP;
      case MEMBERSHIP:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_MEMBERSHIP;
      case SESSION:
        return io.jangada.raft.grpc.proto.EntryType.ENTRY_TYPE_SESSION;
      default:
        throw new AssertionError(type);
    }
  }

  private static EntryType decodeType(io.jangada.raft.grpc.proto.EntryType type)
      throws MalformedMessageException {
    switch (type) {
      case ENTRY_TYPE_COMMAND:
        return EntryType.COMMAND;
      case ENTRY_TYPE_NOOP:
        return EntryType.NOOP;
      case ENTRY_TYPE_MEMBERSHIP:
        return EntryType.MEMBERSHIP;
      case ENTRY_TYPE_SESSION:
        return EntryType.SESSION;
      default:
        throw new MalformedMessageException("unknown entry type " + type);
    }
  }

  private static io.jangada.raft.grpc.proto.SnapshotMeta encodeMeta(SnapshotMeta meta) {
    io.jangada.raft.grpc.proto.Membership.Builder m =
        io.jangada.raft.grpc.proto.Membership.newBuilder();
    meta.membership().voters().forEach(id -> m.addVoters(id.value()));
    meta.membership().learners().forEach(id -> m.addLearners(id.value()));
    meta.membership().outgoingVoters().forEach(id -> m.addOutgoingVoters(id.value()));
    meta.membership().addresses().forEach((id, address) -> m.putAddresses(id.value(), address));
    return io.jangada.raft.grpc.proto.SnapshotMeta.newBuilder()
        .setIndex(meta.index())
        .setTerm(meta.term())
        .setMembership(m)
        .setMembershipIndex(meta.membershipIndex())
        .build();
  }

  private static SnapshotMeta decodeMeta(io.jangada.raft.grpc.proto.SnapshotMeta meta) {
    TreeSet<NodeId> voters = new TreeSet<>();
    meta.getMembership().getVotersList().forEach(v -> voters.add(new NodeId(v)));
    TreeSet<NodeId> learners = new TreeSet<>();
    meta.getMembership().getLearnersList().forEach(v -> learners.add(new NodeId(v)));
    TreeSet<NodeId> outgoing = new TreeSet<>();
    meta.getMembership().getOutgoingVotersList().forEach(v -> outgoing.add(new NodeId(v)));
    TreeMap<NodeId, String> addresses = new TreeMap<>();
    meta.getMembership().getAddressesMap().forEach((k, v) -> addresses.put(new NodeId(k), v));
    return new SnapshotMeta(
        meta.getIndex(),
        meta.getTerm(),
        new Membership(voters, learners, outgoing, addresses),
        meta.getMembershipIndex());
  }

  /** Zero-copy: {@link Bytes} is immutable, so protobuf may share its array read-only. */
  private static ByteString wrap(Bytes bytes) {
    return bytes.isEmpty()
        ? ByteString.EMPTY
        : UnsafeByteOperations.unsafeWrap(bytes.asReadOnlyByteBuffer());
  }

  private static Bytes unwrap(ByteString bytes) {
    return Bytes.wrapUnsafe(bytes.toByteArray());
  }
}
