package io.jangada.raft.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.RequestTimeoutException;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.StorageFailedException;
import io.jangada.raft.grpc.proto.ClientReply;
import io.jangada.raft.grpc.proto.CloseSessionRequest;
import io.jangada.raft.grpc.proto.GetLeaderRequest;
import io.jangada.raft.grpc.proto.LeaderReply;
import io.jangada.raft.grpc.proto.Member;
import io.jangada.raft.grpc.proto.OpenSessionRequest;
import io.jangada.raft.grpc.proto.QueryRequest;
import io.jangada.raft.grpc.proto.RaftClientServiceGrpc;
import io.jangada.raft.grpc.proto.ReplyCode;
import io.jangada.raft.grpc.proto.SubmitRequest;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the client protocol (client.proto) for one {@link RaftNode}. Every request is
 * checked for the cluster id; submissions are session commands (a follower forwards them inside the
 * library); failures become reply codes, with the leader's id and address when the node knows it.
 * Thread-safe; never blocks a gRPC thread (answers when the node's future completes).
 */
final class RaftClientGrpcService extends RaftClientServiceGrpc.RaftClientServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(RaftClientGrpcService.class);

  private final RaftNode node;
  private final String clusterId;
  private final int maxCommandBytes;
  private final Function<NodeId, Optional<String>> addresses;

  RaftClientGrpcService(
      RaftNode node,
      String clusterId,
      int maxCommandBytes,
      Function<NodeId, Optional<String>> addresses) {
    this.node = node;
    this.clusterId = clusterId;
    this.maxCommandBytes = maxCommandBytes;
    this.addresses = addresses;
  }

  @Override
  public void openSession(OpenSessionRequest request, StreamObserver<ClientReply> out) {
    if (wrongCluster(request.getClusterId(), out)) {
      return;
    }
    answer(
        node.openSession(),
        id -> ClientReply.newBuilder().setCode(ReplyCode.REPLY_CODE_OK).setClientId(id).build(),
        out);
  }

  @Override
  public void closeSession(CloseSessionRequest request, StreamObserver<ClientReply> out) {
    if (wrongCluster(request.getClusterId(), out)) {
      return;
    }
    answer(
        node.closeSession(request.getClientId()),
        v -> ClientReply.newBuilder().setCode(ReplyCode.REPLY_CODE_OK).build(),
        out);
  }

  @Override
  public void submit(SubmitRequest request, StreamObserver<ClientReply> out) {
    if (wrongCluster(request.getClusterId(), out)) {
      return;
    }
    if (request.getCommand().size() > maxCommandBytes) {
      reply(
          out,
          ClientReply.newBuilder()
              .setCode(ReplyCode.REPLY_CODE_TOO_LARGE)
              .setMessage(
                  "command of "
                      + request.getCommand().size()
                      + " bytes exceeds the limit of "
                      + maxCommandBytes
                      + " bytes")
              .build());
      return;
    }
    SessionInfo session;
    try {
      session =
          new SessionInfo(
              request.getClientId(), request.getSequence(), request.getLowestUnacknowledged());
    } catch (IllegalArgumentException e) {
      reply(error(ReplyCode.REPLY_CODE_ERROR, e.getMessage()), out);
      return;
    }
    CompletableFuture<Committed> done =
        node.propose(Bytes.wrapUnsafe(request.getCommand().toByteArray()), session);
    answer(
        done,
        c ->
            ClientReply.newBuilder()
                .setCode(ReplyCode.REPLY_CODE_OK)
                .setResult(ByteString.copyFrom(c.result().asReadOnlyByteBuffer()))
                .setIndex(c.index())
                .build(),
        out);
  }

  @Override
  public void query(QueryRequest request, StreamObserver<ClientReply> out) {
    if (wrongCluster(request.getClusterId(), out)) {
      return;
    }
    ReadConsistency consistency;
    switch (request.getConsistency()) {
      case CONSISTENCY_LEASE:
        consistency = ReadConsistency.LEASE;
        break;
      case CONSISTENCY_STALE:
        consistency = ReadConsistency.STALE;
        break;
      default:
        consistency = ReadConsistency.LINEARIZABLE;
    }
    answer(
        node.query(Bytes.wrapUnsafe(request.getRequest().toByteArray()), consistency),
        r ->
            ClientReply.newBuilder()
                .setCode(ReplyCode.REPLY_CODE_OK)
                .setResult(ByteString.copyFrom(r.asReadOnlyByteBuffer()))
                .build(),
        out);
  }

  @Override
  public void getLeader(GetLeaderRequest request, StreamObserver<LeaderReply> out) {
    if (!clusterId.equals(request.getClusterId())) {
      out.onNext(
          LeaderReply.newBuilder()
              .setCode(ReplyCode.REPLY_CODE_WRONG_CLUSTER)
              .setMessage(wrongClusterMessage(request.getClusterId()))
              .build());
      out.onCompleted();
      return;
    }
    RaftStatus status = node.status();
    LeaderReply.Builder b =
        LeaderReply.newBuilder().setCode(ReplyCode.REPLY_CODE_OK).setTerm(status.term());
    status
        .leader()
        .ifPresent(
            leader -> {
              b.setLeaderId(leader.value());
              addresses.apply(leader).ifPresent(b::setLeaderAddress);
            });
    for (NodeId member : status.membership().members()) {
      b.addMembers(
          Member.newBuilder().setId(member.value()).setAddress(addresses.apply(member).orElse("")));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  private boolean wrongCluster(String requested, StreamObserver<ClientReply> out) {
    if (clusterId.equals(requested)) {
      return false;
    }
    reply(error(ReplyCode.REPLY_CODE_WRONG_CLUSTER, wrongClusterMessage(requested)), out);
    return true;
  }

  private String wrongClusterMessage(String requested) {
    return "node " + node.id() + " belongs to cluster '" + clusterId + "', not '" + requested + "'";
  }

  private <T> void answer(
      CompletableFuture<T> future, Function<T, ClientReply> ok, StreamObserver<ClientReply> out) {
    future.whenComplete(
        (value, error) -> {
          try {
            reply(error == null ? ok.apply(value) : failure(error), out);
          } catch (RuntimeException e) {
            log.warn("node {}: cannot answer a client", node.id(), e);
          }
        });
  }

  private ClientReply failure(Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof NotLeaderException notLeader) {
      ClientReply.Builder b =
          ClientReply.newBuilder()
              .setCode(ReplyCode.REPLY_CODE_NOT_LEADER)
              .setMessage(e.getMessage());
      notLeader
          .leaderHint()
          .ifPresent(
              leader -> {
                b.setLeaderId(leader.value());
                addresses.apply(leader).ifPresent(b::setLeaderAddress);
              });
      return b.build();
    }
    if (e instanceof IndeterminateResultException || e instanceof RequestTimeoutException) {
      return error(ReplyCode.REPLY_CODE_INDETERMINATE, e.getMessage());
    }
    if (e instanceof ProposalDroppedException) {
      return error(ReplyCode.REPLY_CODE_BUSY, e.getMessage());
    }
    if (e instanceof SessionExpiredException) {
      return error(ReplyCode.REPLY_CODE_SESSION_EXPIRED, e.getMessage());
    }
    if (e instanceof NodeClosedException || e instanceof StorageFailedException) {
      return error(ReplyCode.REPLY_CODE_UNAVAILABLE, e.getMessage());
    }
    return error(ReplyCode.REPLY_CODE_ERROR, String.valueOf(e));
  }

  private static ClientReply error(ReplyCode code, String message) {
    return ClientReply.newBuilder().setCode(code).setMessage(String.valueOf(message)).build();
  }

  private static void reply(ClientReply reply, StreamObserver<ClientReply> out) {
    out.onNext(reply);
    out.onCompleted();
  }

  private static void reply(StreamObserver<ClientReply> out, ClientReply reply) {
    reply(reply, out);
  }
}
