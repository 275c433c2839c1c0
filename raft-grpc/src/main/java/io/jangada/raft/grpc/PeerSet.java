package io.jangada.raft.grpc;

import com.google.common.net.HostAndPort;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The peers a {@link GrpcTransport} talks to: their addresses and, once started, one {@link
 * PeerChannel} each. Peers are <em>configured</em> (by the builder, {@link GrpcTransport#addPeer},
 * {@link GrpcTransport#setPeers} or the replicated configuration) or <em>learned</em> (a sender
 * this node did not know announced its address in a frame); a new configured set replaces both.
 *
 * <p>Changes are reconciled: a peer whose address is unchanged keeps its channel (and its queued
 * messages), a removed peer's channel is closed, and a peer whose address changed gets a new
 * channel. Thread-safety: mutations hold this object's lock; {@link #channel} and {@link #isKnown}
 * read a volatile copy and never block. Channels are closed by the caller, outside the lock.
 */
final class PeerSet {

  private final NodeId self;

  // Guarded by this.
  private final Map<NodeId, HostAndPort> addresses = new TreeMap<>();
  private final Set<NodeId> learned = new TreeSet<>();
  private BiFunction<NodeId, HostAndPort, PeerChannel> factory; // set once started
  private boolean closed;

  private volatile Map<NodeId, PeerChannel> channels = Map.of();
  private volatile Set<String> known = Set.of();

  PeerSet(NodeId self, Map<NodeId, HostAndPort> initial) {
    this.self = self;
    addresses.putAll(initial);
    publishKnown();
  }

  /** Opens a channel to every peer; from now on changes open and close channels. */
  synchronized void start(BiFunction<NodeId, HostAndPort, PeerChannel> factory) {
    this.factory = factory;
    Map<NodeId, PeerChannel> next = new TreeMap<>();
    addresses.forEach((peer, address) -> next.put(peer, factory.apply(peer, address)));
    channels = Map.copyOf(next);
    next.values().forEach(PeerChannel::start);
  }

  /** The channel to {@code peer}, or null if it is not a peer (or not started). Never blocks. */
  PeerChannel channel(NodeId peer) {
    return channels.get(peer);
  }

  /** Whether frames from {@code sender} come from a known peer. Never blocks. */
  boolean isKnown(String sender) {
    return known.contains(sender);
  }

  /** The current peers and addresses, in id order. */
  synchronized Map<NodeId, HostAndPort> addresses() {
    return Map.copyOf(addresses);
  }

  /**
   * Adds a configured peer (replacing a learned one of the same id).
   *
   * @return the channels the caller must close
   * @throws IllegalArgumentException if {@code id} is this node or already a configured peer
   */
  synchronized List<PeerChannel> add(NodeId id, HostAndPort address) {
    checkOpen();
    if (id.equals(self)) {
      throw new IllegalArgumentException("peer " + id + " is this node itself");
    }
    if (addresses.containsKey(id) && !learned.contains(id)) {
      throw new IllegalArgumentException("duplicate peer " + id);
    }
    Map<NodeId, HostAndPort> target = new TreeMap<>(addresses);
    target.put(id, address);
    learned.remove(id);
    return replaceAll(target, new ArrayList<>());
  }

  /**
   * Makes the peer set exactly {@code target} (this node is skipped if present). Learned peers not
   * in {@code target} are dropped.
   *
   * @return the channels the caller must close
   */
  synchronized List<PeerChannel> set(Map<NodeId, HostAndPort> target) {
    checkOpen();
    Map<NodeId, HostAndPort> withoutSelf = new TreeMap<>(target);
    withoutSelf.remove(self);
    learned.clear();
    return replaceAll(withoutSelf, new ArrayList<>());
  }

  /**
   * Removes {@code id} if it is a peer.
   *
   * @return the channel the caller must close, if there was one
   */
  synchronized List<PeerChannel> remove(NodeId id) {
    if (closed || !addresses.containsKey(id)) {
      return List.of();
    }
    Map<NodeId, HostAndPort> target = new TreeMap<>(addresses);
    target.remove(id);
    learned.remove(id);
    return replaceAll(target, new ArrayList<>());
  }

  /**
   * Adds {@code id} at {@code address} as a learned peer unless it is already a peer or this node.
   *
   * @return whether it was added
   */
  synchronized boolean learn(NodeId id, HostAndPort address) {
    if (closed || id.equals(self) || addresses.containsKey(id)) {
      return false;
    }
    Map<NodeId, HostAndPort> target = new TreeMap<>(addresses);
    target.put(id, address);
    learned.add(id);
    replaceAll(target, new ArrayList<>()); // closes nothing: every other peer is unchanged
    return true;
  }

  /** Forgets every peer; returns the channels the caller must close. */
  synchronized List<PeerChannel> close() {
    closed = true;
    List<PeerChannel> open = new ArrayList<>(channels.values());
    channels = Map.of();
    addresses.clear();
    learned.clear();
    publishKnown();
    return open;
  }

  /** Reconciles to {@code target}; adds the channels to close to {@code toClose} and returns it. */
  private List<PeerChannel> replaceAll(Map<NodeId, HostAndPort> target, List<PeerChannel> toClose) {
    Map<NodeId, PeerChannel> next = new TreeMap<>();
    List<PeerChannel> opened = new ArrayList<>();
    Map<NodeId, PeerChannel> current = channels;
    for (Map.Entry<NodeId, HostAndPort> e : target.entrySet()) {
      NodeId peer = e.getKey();
      PeerChannel existing = current.get(peer);
      if (existing != null && e.getValue().equals(addresses.get(peer))) {
        next.put(peer, existing);
      } else if (factory != null) {
        PeerChannel channel = factory.apply(peer, e.getValue());
        next.put(peer, channel);
        opened.add(channel);
      }
    }
    for (Map.Entry<NodeId, PeerChannel> e : current.entrySet()) {
      if (next.get(e.getKey()) != e.getValue()) {
        toClose.add(e.getValue());
      }
    }
    addresses.clear();
    addresses.putAll(target);
    learned.retainAll(target.keySet());
    if (factory != null) {
      channels = Map.copyOf(next);
    }
    publishKnown();
    opened.forEach(PeerChannel::start);
    return toClose;
  }

  private void publishKnown() {
    Set<String> names = new HashSet<>();
    addresses.keySet().forEach(id -> names.add(id.value()));
    known = Set.copyOf(names);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(self + ": transport is closed");
    }
  }

  @Override
  public synchronized String toString() {
    return Objects.toString(addresses) + (learned.isEmpty() ? "" : " learned " + learned);
  }
}
