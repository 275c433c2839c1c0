package io.jangada.raft.transport;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link Transport} that forwards every call to another one, for wrappers that change or watch
 * some calls (count or trace messages, rewrite a membership's addresses) and must pass the rest
 * through unchanged — including the default methods, which a hand-written wrapper easily forgets.
 * Subclasses override what they change.
 *
 * <p>Thread, blocking and error behaviour: those of the wrapped transport, for every method a
 * subclass does not override.
 */
public abstract class ForwardingTransport implements Transport {

  private final Transport delegate;

  /**
   * Wraps {@code delegate}.
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  protected ForwardingTransport(Transport delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The wrapped transport. */
  public Transport delegate() {
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
    delegate.membershipChanged(membership);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
