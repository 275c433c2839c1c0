package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The address a key-value member carries in the replicated configuration: its Raft (gRPC) endpoint
 * and its HTTP endpoint, written {@code 127.0.0.1:7104;http=127.0.0.1:8104}. A {@link Membership}
 * carries one opaque address string per member; the example puts both endpoints in it, so that
 * every node (also one that joined with no peer list) learns from the log where to relay a request
 * to the leader. {@link MemberTransport} hands the gRPC transport only the Raft part. An address
 * without {@code ;http=} (a configuration written by another tool) has no HTTP endpoint.
 *
 * @param raft the Raft (gRPC) endpoint
 * @param http the HTTP endpoint, if known
 */
public record MemberAddress(HostPort raft, Optional<HostPort> http) {

  private static final String HTTP = ";http=";

  public MemberAddress {
    Objects.requireNonNull(raft, "raft");
    Objects.requireNonNull(http, "http");
  }

  /** Both endpoints. */
  public static MemberAddress of(HostPort raft, HostPort http) {
    return new MemberAddress(raft, Optional.of(http));
  }

  /**
   * Parses {@code host:port} or {@code host:port;http=host:port}.
   *
   * @throws IllegalArgumentException naming the bad text
   */
  public static MemberAddress parse(String text) {
    int cut = text.indexOf(HTTP);
    if (cut < 0) {
      return new MemberAddress(HostPort.parse(text.trim()), Optional.empty());
    }
    return new MemberAddress(
        HostPort.parse(text.substring(0, cut).trim()),
        Optional.of(HostPort.parse(text.substring(cut + HTTP.length()).trim())));
  }

  /** The address of {@code id} in {@code membership}, if it carries a well-formed one. */
  public static Optional<MemberAddress> of(Membership membership, NodeId id) {
    return membership
        .address(id)
        .flatMap(
            text -> {
              try {
                return Optional.of(parse(text));
              } catch (IllegalArgumentException e) {
                return Optional.empty();
              }
            });
  }

  /**
   * {@code membership} with only the Raft endpoint of each member (what the gRPC transport
   * understands); addresses that do not parse are passed on unchanged.
   */
  static Membership raftOnly(Membership membership) {
    SortedMap<NodeId, String> addresses = new TreeMap<>();
    membership
        .addresses()
        .forEach(
            (id, text) -> {
              try {
                addresses.put(id, parse(text).raft().toString());
              } catch (IllegalArgumentException e) {
                addresses.put(id, text);
              }
            });
    return new Membership(
        membership.voters(), membership.learners(), membership.outgoingVoters(), addresses);
  }

  @Override
  public String toString() {
    return raft + http.map(h -> HTTP + h).orElse("");
  }
}
