package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.Membership;
import io.jangada.raft.transport.ForwardingTransport;
import io.jangada.raft.transport.Transport;

/**
 * The node's transport (gRPC) seen through the example's {@link MemberAddress} format: when the
 * configuration changes, the transport is given each member's Raft endpoint only. Everything else
 * is passed through ({@link ForwardingTransport}). Thread-safe as the wrapped transport.
 */
final class MemberTransport extends ForwardingTransport {

  MemberTransport(Transport delegate) {
    super(delegate);
  }

  @Override
  public void membershipChanged(Membership membership) {
    delegate().membershipChanged(MemberAddress.raftOnly(membership));
  }
}
