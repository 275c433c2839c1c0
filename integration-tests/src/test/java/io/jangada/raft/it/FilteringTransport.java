package io.jangada.raft.it;

import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.ForwardingTransport;
import io.jangada.raft.transport.Transport;
import java.io.IOException;
import java.util.Set;

/**
 * Wraps a real transport and drops messages on blocked links (in both the sending and the receiving
 * direction), so a test can partition nodes that talk over real sockets. Every other call (the
 * transport's peers, problems and membership changes) goes to the real transport unchanged.
 */
final class FilteringTransport extends ForwardingTransport {

  private final NodeId self;
  private final Set<String> blocked; // "from->to", shared by the whole cluster

  FilteringTransport(NodeId self, Transport delegate, Set<String> blocked) {
    super(delegate);
    this.self = self;
    this.blocked = blocked;
  }

  static String link(NodeId from, NodeId to) {
    return from + "->" + to;
  }

  @Override
  public void start(Inbox inbox) throws IOException {
    super.start(
        new Inbox() {
          @Override
          public void receive(Message message) {
            if (!blocked.contains(link(message.from(), self))) {
              inbox.receive(message);
            }
          }

          @Override
          public void unreachable(NodeId peer) {
            inbox.unreachable(peer);
          }
        });
  }

  @Override
  public void send(Message message) {
    if (!blocked.contains(link(self, message.to()))) {
      super.send(message);
    }
  }
}
