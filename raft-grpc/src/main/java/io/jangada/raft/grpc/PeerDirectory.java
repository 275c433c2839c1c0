package io.jangada.raft.grpc;

import com.google.common.net.HostAndPort;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which peers a {@link GrpcTransport} talks to and hears from, and has its {@link PeerSet}
 * (addresses and channels, reconciled) hold exactly those: the builder's peers, changed at run time
 * ({@link GrpcTransport#addPeer}, {@link GrpcTransport#removePeer}, {@link
 * GrpcTransport#setPeers}), the members of the replicated configuration ({@link
 * GrpcTransport#membershipChanged}), and senders admitted from their frames (learned at the address
 * they announce). Channels a change replaces are closed here, outside the peer set's lock; every
 * change is logged.
 *
 * <p>Thread-safety: any thread. {@link #admit} and {@link #trafficFrom} run on gRPC's network
 * threads for every inbound frame: for a known peer they read a volatile copy and never block.
 */
final class PeerDirectory implements RaftGrpcService.Senders {

  // Logs as the transport whose peers these are: operators filter on its name.
  private static final Logger log = LoggerFactory.getLogger(GrpcTransport.class);

  private final NodeId self;
  private final PeerSet peers;
  private final boolean acceptUnknownSenders;
  private final BooleanSupplier closed; // whether the transport is closed
  private final RateLimitedLog dropLog; // the transport's, shared with its dropped messages

  PeerDirectory(
      NodeId self,
      PeerSet peers,
      boolean acceptUnknownSenders,
      BooleanSupplier closed,
      RateLimitedLog dropLog) {
    this.self = self;
    this.peers = peers;
    this.acceptUnknownSenders = acceptUnknownSenders;
    this.closed = closed;
    this.dropLog = dropLog;
  }

  /**
   * Whether to accept a frame from {@code sender}: a known peer always; an unknown one only with
   * {@link GrpcTransport.Builder#acceptUnknownSenders}, and then its announced address becomes a
   * learned peer so that replies reach it.
   */
  @Override
  public boolean admit(String sender, String address) {
    if (peers.isKnown(sender)) {
      return true;
    }
    if (!acceptUnknownSenders || closed.getAsBoolean()) {
      return false;
    }
    NodeId id;
    try {
      id = NodeId.of(sender);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!address.isEmpty()) {
      HostAndPort hp;
      try {
        hp = HostAndPort.fromString(address);
      } catch (IllegalArgumentException e) {
        dropLog.warn(self + ": " + sender + " announces a bad address '" + address + "'");
        return true; // the message is still valid; replies cannot reach the sender
      }
      if (hp.hasPort() && peers.learn(id, hp)) {
        log.info("{}: learned peer {} at {} from its frames", self, id, hp);
      }
    }
    return true;
  }

  /**
   * A valid frame from {@code sender} arrived: it is up, so if our stream to it waits out a
   * reconnect backoff (for example because it just restarted), reconnect now.
   */
  void trafficFrom(String sender) {
    PeerChannel channel = peers.channel(NodeId.of(sender));
    if (channel != null) {
      channel.peerIsAlive();
    }
  }

  /** See {@link GrpcTransport#addPeer}. */
  void add(NodeId id, HostAndPort address) {
    closeAll(peers.add(id, address));
    log.info("{}: added peer {} at {}", self, id, address);
  }

  /** See {@link GrpcTransport#removePeer}. */
  void remove(NodeId id) {
    List<PeerChannel> closed = peers.remove(id);
    if (!closed.isEmpty()) {
      closeAll(closed);
      log.info("{}: removed peer {}", self, id);
    }
  }

  /** See {@link GrpcTransport#setPeers}. */
  void set(Map<NodeId, String> addresses) {
    Map<NodeId, HostAndPort> target = new TreeMap<>();
    addresses.forEach((id, address) -> target.put(id, GrpcTransport.Builder.parseRemote(address)));
    Map<NodeId, HostAndPort> before = peers.addresses();
    closeAll(peers.set(target));
    if (!before.equals(peers.addresses())) {
      log.info("{}: peers now {} (were {})", self, peers, before);
    }
  }

  /** See {@link GrpcTransport#membershipChanged}. */
  void follow(Membership membership) {
    if (membership.isEmpty() || closed.getAsBoolean()) {
      return;
    }
    Map<NodeId, String> known = addresses();
    Set<NodeId> members = new TreeSet<>(membership.members());
    members.addAll(membership.outgoingVoters());
    Map<NodeId, HostAndPort> target = new TreeMap<>();
    for (NodeId member : members) {
      if (member.equals(self)) {
        continue;
      }
      Optional<String> address =
          membership.address(member).or(() -> Optional.ofNullable(known.get(member)));
      if (address.isEmpty()) {
        log.warn(
            "{}: member {} has no address in the configuration; cannot reach it", self, member);
        continue;
      }
      try {
        target.put(member, GrpcTransport.Builder.parseRemote(address.get()));
      } catch (IllegalArgumentException e) {
        log.error("{}: member {} has a bad address: {}", self, member, e.getMessage());
      }
    }
    Map<NodeId, HostAndPort> before = peers.addresses();
    try {
      closeAll(peers.set(target));
    } catch (IllegalStateException e) {
      return; // closed meanwhile
    }
    if (!before.equals(peers.addresses())) {
      log.info("{}: peers follow the configuration: now {} (were {})", self, peers, before);
    }
  }

  /** The current peers and their addresses ({@code host:port}), configured and learned. */
  Map<NodeId, String> addresses() {
    Map<NodeId, String> result = new TreeMap<>();
    peers.addresses().forEach((id, address) -> result.put(id, address.toString()));
    return result;
  }

  private static void closeAll(List<PeerChannel> channels) {
    channels.forEach(PeerChannel::close);
  }
}
