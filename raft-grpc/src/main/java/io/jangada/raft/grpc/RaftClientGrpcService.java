package io.jangada.raft.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.stub.ServerCallStreamObserver;
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
 *
 * <p>Threads: every handler only checks the request and hands it to the node ({@code
 * RaftNode.propose} and the others queue it to the node's loop and never block), so the calls run
 * on gRPC's network thread that read the request ({@link #directFor}), with no hop through the
 * transport's executor. The answer is written on the thread that completes the node's future (the
 * node's callback executor).
 */
final class RaftClientGrpcService extends RaftClientServiceGrpc.RaftClientServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(RaftClientGrpcService.class);

  private final RaftNode node;
  private final String clusterId;
  private final int maxCommandBytes;
  private final Function<NodeId, Optional<String>> addresses;

  /** How long a leader hint is reused before the node's status is read again. */
  private static final long LEADER_HINT_NANOS = 50_000_000L;

  /** The leader to name in OK answers: empty if this node leads or knows no leader. */
  private record LeaderHint(long atNanos, String id, String address) {}

  private volatile LeaderHint leaderHint;

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

  /**
   * Runs the calls of this service directly on gRPC's network thread (its handlers never block);
   * asks {@code others} for every other method.
   */
  static ServerCallExecutorSupplier directFor(ServerCallExecutorSupplier others) {
    String prefix = RaftClientServiceGrpc.SERVICE_NAME + "/";
    return new ServerCallExecutorSupplier() {
      @Override
      public <ReqT, RespT> java.util.concurrent.Executor getExecutor(
          ServerCall<ReqT, RespT> call, Metadata headers) {
        return call.getMethodDescriptor().getFullMethodName().startsWith(prefix)
            ? MoreExecutors.directExecutor()
            : others.getExecutor(call, headers);
      }
    };
  }

  @Override
  public void openSession(OpenSessionRequest request, StreamObserver<ClientReply> out) {
    Answer answer = unary(out);
    if (wrongCluster(request.getClusterId(), answer)) {
      return;
    }
    answer(
        node.openSession(),
        id ->
            withLeaderHint(
                ClientReply.newBuilder().setCode(ReplyCode.REPLY_CODE_OK).setClientId(id)),
        answer);
  }

  @Override
  public void closeSession(CloseSessionRequest request, StreamObserver<ClientReply> out) {
    Answer answer = unary(out);
    if (wrongCluster(request.getClusterId(), answer)) {
      return;
    }
    answer(
        node.closeSession(request.getClientId()),
        v -> ClientReply.newBuilder().setCode(ReplyCode.REPLY_CODE_OK),
        answer);
  }

  @Override
  public void submit(SubmitRequest request, StreamObserver<ClientReply> out) {
    submit(request, unary(out));
  }

  @Override
  public StreamObserver<SubmitRequest> submitStream(StreamObserver<ClientReply> out) {
    SubmitStreamReplies replies =
        new SubmitStreamReplies((ServerCallStreamObserver<ClientReply>) out);
    return new StreamObserver<>() {
      @Override
      public void onNext(SubmitRequest request) {
        long callId = request.getCallId();
        replies.started();
        submit(request, reply -> replies.send(reply.setCallId(callId).build()));
      }

      @Override
      public void onError(Throwable t) {
        replies.cancelled();
      }

      @Override
      public void onCompleted() {
        replies.halfClosed();
      }
    };
  }

  private void submit(SubmitRequest request, Answer answer) {
    if (wrongCluster(request.getClusterId(), answer)) {
      return;
    }
    if (request.getCommand().size() > maxCommandBytes) {
      answer.send(
          ClientReply.newBuilder()
              .setCode(ReplyCode.REPLY_CODE_TOO_LARGE)
              .setMessage(
                  "command of "
                      + request.getCommand().size()
                      + " bytes exceeds the limit of "
                      + maxCommandBytes
                      + " bytes"));
      return;
    }
    SessionInfo session;
    try {
      session =
          new SessionInfo(
              request.getClientId(), request.getSequence(), request.getLowestUnacknowledged());
    } catch (IllegalArgumentException e) {
      answer.send(error(ReplyCode.REPLY_CODE_ERROR, e.getMessage()));
      return;
    }
    CompletableFuture<Committed> done =
        node.propose(Bytes.wrapUnsafe(request.getCommand().toByteArray()), session);
    answer(
        done,
        c ->
            withLeaderHint(
                ClientReply.newBuilder()
                    .setCode(ReplyCode.REPLY_CODE_OK)
                    .setResult(UnsafeByteOperations.unsafeWrap(c.result().asReadOnlyByteBuffer()))
                    .setIndex(c.index())),
        answer);
  }

  @Override
  public void query(QueryRequest request, StreamObserver<ClientReply> out) {
    Answer answer = unary(out);
    if (wrongCluster(request.getClusterId(), answer)) {
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
                .setResult(ByteString.copyFrom(r.asReadOnlyByteBuffer())),
        answer);
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

  /**
   * Names the leader in an OK answer from a follower (which forwarded the request inside the
   * cluster), so that the client sends its next requests to the leader itself: without this, a
   * client that started with a follower would keep paying the forwarding hop, and one that spreads
   * its first requests over the endpoints would keep doing so. The node's status is read at most
   * every {@link #LEADER_HINT_NANOS} (a stale hint only costs the client one more forward or
   * redirect).
   */
  private ClientReply.Builder withLeaderHint(ClientReply.Builder reply) {
    long now = System.nanoTime();
    LeaderHint hint = leaderHint;
    if (hint == null || now - hint.atNanos() > LEADER_HINT_NANOS) {
      RaftStatus status = node.status();
      Optional<NodeId> leader = status.isLeader() ? Optional.empty() : status.leader();
      hint =
          new LeaderHint(
              now, leader.map(NodeId::value).orElse(""), leader.flatMap(addresses).orElse(""));
      leaderHint = hint;
    }
    if (!hint.address().isEmpty()) {
      reply.setLeaderId(hint.id()).setLeaderAddress(hint.address());
    }
    return reply;
  }

  private boolean wrongCluster(String requested, Answer answer) {
    if (clusterId.equals(requested)) {
      return false;
    }
    answer.send(error(ReplyCode.REPLY_CODE_WRONG_CLUSTER, wrongClusterMessage(requested)));
    return true;
  }

  private String wrongClusterMessage(String requested) {
    return "node " + node.id() + " belongs to cluster '" + clusterId + "', not '" + requested + "'";
  }

  private <T> void answer(
      CompletableFuture<T> future, Function<T, ClientReply.Builder> ok, Answer answer) {
    future.whenComplete(
        (value, error) -> {
          try {
            answer.send(error == null ? ok.apply(value) : failure(error));
          } catch (RuntimeException e) {
            log.warn("node {}: cannot answer a client", node.id(), e);
          }
        });
  }

  private ClientReply.Builder failure(Throwable error) {
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
      return b;
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

  private static ClientReply.Builder error(ReplyCode code, String message) {
    return ClientReply.newBuilder().setCode(code).setMessage(String.valueOf(message));
  }

  /** Where one request's reply goes: a unary call, or the request's call id on a stream. */
  private interface Answer {
    /** Sends the reply; called once per request, on any thread. */
    void send(ClientReply.Builder reply);
  }

  private static Answer unary(StreamObserver<ClientReply> out) {
    return reply -> {
      out.onNext(reply.build());
      out.onCompleted();
    };
  }
}
