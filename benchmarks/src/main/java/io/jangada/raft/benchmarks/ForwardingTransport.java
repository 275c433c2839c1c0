package io.jangada.raft.benchmarks;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A transport that forwards every call to another one, for the benchmark's wrappers that watch
 * messages ({@link MessageCounts}, {@link WriteTrace}): they override what they watch.
 */
abstract class ForwardingTransport implements Transport {

  final Transport delegate;

  ForwardingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  @Override
  public void start(Inbox inbox) throws IOException {
    delegate.start(inbox);
  }

  @Override
  public void send(Message message) {
    delegate.send(message);
  }

  @Override
  public Optional<Set<NodeId>> peers() {
    return delegate.peers();
  }

  @Override
  public List<String> problems() {
    return delegate.problems();
  }

  @Override
  public void membershipChanged(Membership membership) {
    delegate.membershipChanged(membership);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
