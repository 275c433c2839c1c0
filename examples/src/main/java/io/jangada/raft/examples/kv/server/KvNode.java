package io.jangada.raft.examples.kv.server;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.model.Bytes;
import java.util.concurrent.CompletableFuture;

/**
 * The slice of a Raft node that the HTTP layer needs: {@link #of(RaftNode)} adapts a real node;
 * tests may use an in-process fake. Keeping the seam this small keeps the HTTP layer testable
 * without a cluster.
 *
 * <p>Thread-safe: every method may be called from any thread and never blocks; outcomes and
 * failures ({@code io.jangada.raft.RaftException} subclasses) arrive through the futures.
 */
public interface KvNode {

  /**
   * Proposes an encoded {@code KvCommand} as request {@code session.sequence()} of a library client
   * session ({@code RaftNode.propose(Bytes, SessionInfo)}): applied at most once, forwarded to the
   * leader from a follower; completes once committed and applied on this node.
   */
  CompletableFuture<Committed> propose(Bytes command, SessionInfo session);

  /** Opens an unnamed client session ({@code RaftNode.openSession()}); completes with its id. */
  CompletableFuture<Long> openSession();

  /**
   * Opens the client session named {@code name}, or resumes the live one of that name ({@code
   * RaftNode.openSession(String)}); completes with its id.
   */
  CompletableFuture<Long> openSession(String name);

  /** Runs an encoded {@code KvQuery} with the given read guarantee. */
  CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency);

  /** The node's current view of the cluster. */
  RaftStatus status();

  /** Liveness and readiness ({@code RaftNode.health()}); unsupported by default. */
  default io.jangada.raft.RaftHealth health() {
    throw new UnsupportedOperationException("health");
  }

  /** Hands leadership to {@code target} ({@code RaftNode.transferLeadership}). */
  default CompletableFuture<Void> transferLeadership(io.jangada.raft.model.NodeId target) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("transfer-leader"));
  }

  /** Takes a snapshot now ({@code RaftNode.snapshot}). */
  default CompletableFuture<io.jangada.raft.model.SnapshotMeta> snapshot() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("snapshot"));
  }

  /** Adds a learner ({@code RaftNode.addLearner}); {@code address} as {@link MemberAddress}. */
  default CompletableFuture<io.jangada.raft.CommittedMembership> addLearner(
      io.jangada.raft.model.NodeId node, String address) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("add member"));
  }

  /** Makes a learner a voter ({@code RaftNode.promote}). */
  default CompletableFuture<io.jangada.raft.CommittedMembership> promote(
      io.jangada.raft.model.NodeId node) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("promote"));
  }

  /** Removes a member ({@code RaftNode.removeMember}). */
  default CompletableFuture<io.jangada.raft.CommittedMembership> removeMember(
      io.jangada.raft.model.NodeId node) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("remove member"));
  }

  /** Adapts a real node. */
  static KvNode of(RaftNode node) {
    return new KvNode() {
      @Override
      public CompletableFuture<Committed> propose(Bytes command, SessionInfo session) {
        return node.propose(command, session);
      }

      @Override
      public CompletableFuture<Long> openSession() {
        return node.openSession();
      }

      @Override
      public CompletableFuture<Long> openSession(String name) {
        return node.openSession(name);
      }

      @Override
      public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
        return node.query(request, consistency);
      }

      @Override
      public RaftStatus status() {
        return node.status();
      }

      @Override
      public io.jangada.raft.RaftHealth health() {
        return node.health();
      }

      @Override
      public CompletableFuture<Void> transferLeadership(io.jangada.raft.model.NodeId target) {
        return node.transferLeadership(target);
      }

      @Override
      public CompletableFuture<io.jangada.raft.model.SnapshotMeta> snapshot() {
        return node.snapshot();
      }

      @Override
      public CompletableFuture<io.jangada.raft.CommittedMembership> addLearner(
          io.jangada.raft.model.NodeId id, String address) {
        return node.addLearner(id, address);
      }

      @Override
      public CompletableFuture<io.jangada.raft.CommittedMembership> promote(
          io.jangada.raft.model.NodeId id) {
        return node.promote(id);
      }

      @Override
      public CompletableFuture<io.jangada.raft.CommittedMembership> removeMember(
          io.jangada.raft.model.NodeId id) {
        return node.removeMember(id);
      }
    };
  }
}
