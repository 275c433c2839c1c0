package io.jangada.raft.examples.kv.server;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.SessionInfo;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A fake node that leads a one-voter cluster, opens sessions at once (unnamed: 1, named: 2) and
 * holds every proposal in {@link #proposed} until the test completes it; subclasses script reads.
 */
abstract class LeaderAloneNode implements KvNode {

  final BlockingQueue<CompletableFuture<Committed>> proposed = new LinkedBlockingQueue<>();
  private final NodeId self;

  LeaderAloneNode(NodeId self) {
    this.self = self;
  }

  @Override
  public CompletableFuture<Committed> propose(Bytes command, SessionInfo session) {
    CompletableFuture<Committed> future = new CompletableFuture<>();
    proposed.add(future);
    return future;
  }

  @Override
  public CompletableFuture<Long> openSession() {
    return CompletableFuture.completedFuture(1L);
  }

  @Override
  public CompletableFuture<Long> openSession(String name) {
    return CompletableFuture.completedFuture(2L);
  }

  @Override
  public RaftStatus status() {
    return TestStatuses.leaderAlone(self);
  }
}
