package io.jangada.raft.transport;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Moves {@link Message}s between nodes. A transport is a dumb, lossy pipe: Raft tolerates loss,
 * duplication and reordering, and retries on its own.
 *
 * <p>Lifecycle: {@link #start} once, then {@link #send} any number of times, then {@link #close}.
 * Messages arriving after {@code close} are not delivered.
 */
public interface Transport extends AutoCloseable {

  /**
   * Starts listening and connecting; from now on received messages go to {@code inbox}.
   *
   * <p>Thread: called once, before any {@code send}. Blocking: may block while binding sockets.
   *
   * @throws IOException if the transport cannot listen (e.g. the port is in use)
   * @throws IllegalStateException if already started or closed
   */
  void start(Inbox inbox) throws IOException;

  /**
   * Queues {@code message} for delivery to {@code message.to()}.
   *
   * <p>Thread: any thread. Blocking: never blocks on the network. Errors: never throws on network
   * failure; a message that cannot be delivered is dropped (and the peer may be reported {@link
   * Inbox#unreachable}). Messages to one peer should arrive in the order sent, but may not.
   */
  void send(Message message);

  /**
   * The nodes this transport can send to, if it has a fixed list of peers; empty if it can reach
   * any node (as the in-memory networks can). The node compares it with its configuration at start
   * and fails to start if a member is missing and the configuration has no address for it either (a
   * transport that follows the configuration learns addresses from it), since it could never reach
   * it.
   *
   * <p>Thread: any thread. Blocking: never. The default returns empty.
   */
  default Optional<Set<NodeId>> peers() {
    return Optional.empty();
  }

  /**
   * Configuration problems this transport noticed recently, for operators: for example traffic it
   * rejected because it came from another cluster or from a node that is not a configured peer.
   * Each is one human-readable line; a problem that stopped happening disappears after a while. The
   * node shows them in {@code RaftStatus.problems()}.
   *
   * <p>Thread: any thread. Blocking: never (called on every status read). The default returns none.
   */
  default List<String> problems() {
    return List.of();
  }

  /**
   * The configuration in force changed (a configuration entry was appended or a snapshot installed,
   * thesis §4.1), or the node started with {@code membership}. A transport that follows the
   * configuration adds the members it does not know, at the addresses {@link Membership#address}
   * gives, and drops those that left; this is how peers are learned from the replicated log instead
   * of from a second, hand-maintained list. The default does nothing (peers configured otherwise).
   *
   * <p>Thread: the node's loop, before any message of the same step is sent (so the first message
   * to a new member finds its address). Blocking: must not block on the network. Errors: must not
   * throw (an exception is logged and ignored). {@code membership} may be joint (then the outgoing
   * voters are members too) or {@linkplain Membership#isEmpty() empty} (a joining node that has not
   * learned its configuration yet: keep what is known).
   */
  default void membershipChanged(Membership membership) {}

  /**
   * Stops sending and delivering and releases resources. Idempotent. Blocking: may wait briefly for
   * connections to close.
   */
  @Override
  void close();

  /** Where a transport delivers what it receives. */
  interface Inbox {

    /**
     * A message arrived. Thread: any thread (transport threads); implementations hand the message
     * off quickly and never block on the network. The node's implementation processes the message
     * on the calling thread when its loop is idle (a step of the core and one round: building a
     * Ready, writing messages through {@link Transport#send}, queuing the write; it may read log
     * entries from the log storage), so call it without holding locks that {@code send} needs. Must
     * not throw.
     */
    void receive(Message message);

    /**
     * Sending to {@code peer} failed (connection lost, buffer full). A hint for the core to slow
     * down replication to it. Thread: any thread. Must not throw.
     */
    void unreachable(NodeId peer);
  }
}
