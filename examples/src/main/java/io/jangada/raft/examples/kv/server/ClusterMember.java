package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.NodeId;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One node of the key-value cluster: its id, its Raft (gRPC) endpoint and its HTTP endpoint.
 * Immutable.
 */
public record ClusterMember(NodeId id, HostPort raft, HostPort http) {

  public ClusterMember {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(raft, "raft");
    Objects.requireNonNull(http, "http");
  }

  /** The base URL of this node's HTTP API, e.g. {@code http://127.0.0.1:8101}. */
  public URI httpUri() {
    return URI.create("http://" + http);
  }

  /**
   * Parses {@code id=host:raftPort:httpPort}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static ClusterMember parse(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("expected id=host:raftPort:httpPort, got '" + text + "'");
    }
    String[] parts = text.substring(eq + 1).split(":", -1);
    if (parts.length != 3 || parts[0].isBlank()) {
      throw new IllegalArgumentException("expected id=host:raftPort:httpPort, got '" + text + "'");
    }
    NodeId id = NodeId.of(text.substring(0, eq).trim());
    String host = parts[0].trim();
    int raftPort = HostPort.parsePort(parts[1].trim(), text);
    int httpPort = HostPort.parsePort(parts[2].trim(), text);
    if (raftPort == httpPort && raftPort != 0) { // 0: any free port, each its own
      throw new IllegalArgumentException(
          "node " + id + " has the same port " + raftPort + " for Raft and HTTP in '" + text + "'");
    }
    return new ClusterMember(id, new HostPort(host, raftPort), new HostPort(host, httpPort));
  }

  /**
   * Parses a comma-separated list of members.
   *
   * @throws IllegalArgumentException on a malformed entry, a duplicate id, or an endpoint (host and
   *     port other than 0) that two members or one member's Raft and HTTP share
   */
  public static SortedMap<NodeId, ClusterMember> parseAll(String text) {
    TreeMap<NodeId, ClusterMember> members = new TreeMap<>();
    List<String> entries = new ArrayList<>();
    for (String entry : text.split(",")) {
      if (!entry.isBlank()) {
        entries.add(entry.trim());
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no peers given");
    }
    Map<HostPort, NodeId> endpoints = new HashMap<>();
    for (String entry : entries) {
      ClusterMember member = parse(entry);
      if (members.put(member.id(), member) != null) {
        throw new IllegalArgumentException("node " + member.id() + " is listed twice");
      }
      for (HostPort endpoint : List.of(member.raft(), member.http())) {
        NodeId other = endpoint.port() == 0 ? null : endpoints.putIfAbsent(endpoint, member.id());
        if (other != null) {
          throw new IllegalArgumentException(
              "nodes " + other + " and " + member.id() + " both use " + endpoint);
        }
      }
    }
    return Collections.unmodifiableSortedMap(members);
  }

  @Override
  public String toString() {
    return id + "=" + raft.host() + ":" + raft.port() + ":" + http.port();
  }
}
