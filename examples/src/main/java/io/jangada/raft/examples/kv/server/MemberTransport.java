package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The node's transport (gRPC) seen through the example's {@link MemberAddress} format: when the
 * configuration changes, the transport is given each member's Raft endpoint only. Everything else
 * is passed through. Thread-safe as the wrapped transport.
 */
final class MemberTransport implements Transport {

  private final Transport delegate;

  MemberTransport(Transport delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The wrapped transport (for example to serve clients on a {@code GrpcTransport}). */
  Transport delegate() {
    return delegate;
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
    delegate.membershipChanged(MemberAddress.raftOnly(membership));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
