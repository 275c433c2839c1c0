package io.jangada.raft.examples.kv.server;

import io.jangada.raft.Committed;
import io.jangada.raft.NodeClosedException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.model.Bytes;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link KvNode} whose node arrives after the HTTP port is bound; until then every request fails
 * with {@link NodeClosedException} (HTTP 503, retry).
 */
final class LazyNode implements KvNode {

  private volatile KvNode node;

  void set(KvNode node) {
    this.node = node;
  }

  private KvNode node() {
    KvNode current = node;
    if (current == null) {
      throw new NodeClosedException("the node is still starting");
    }
    return current;
  }

  @Override
  public CompletableFuture<Committed> propose(Bytes command, SessionInfo session) {
    try {
      return node().propose(command, session);
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Long> openSession() {
    try {
      return node().openSession();
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Long> openSession(String name) {
    try {
      return node().openSession(name);
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
    try {
      return node().query(request, consistency);
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public RaftStatus status() {
    return node().status();
  }

  @Override
  public io.jangada.raft.RaftHealth health() {
    KvNode current = node;
    if (current == null) {
      return new io.jangada.raft.RaftHealth(
          false, false, java.util.List.of("the node is still starting"));
    }
    return current.health();
  }

  @Override
  public CompletableFuture<Void> transferLeadership(io.jangada.raft.model.NodeId target) {
    try {
      return node().transferLeadership(target);
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<io.jangada.raft.model.SnapshotMeta> snapshot() {
    try {
      return node().snapshot();
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<io.jangada.raft.CommittedMembership> addLearner(
      io.jangada.raft.model.NodeId id, String address) {
    try {
      return node().addLearner(id, address);
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<io.jangada.raft.CommittedMembership> promote(
      io.jangada.raft.model.NodeId id) {
    try {
      return node().promote(id);
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<io.jangada.raft.CommittedMembership> removeMember(
      io.jangada.raft.model.NodeId id) {
    try {
      return node().removeMember(id);
    } catch (NodeClosedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
