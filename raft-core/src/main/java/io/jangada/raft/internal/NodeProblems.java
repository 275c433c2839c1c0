package io.jangada.raft.internal;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration problems a node reports in {@code RaftStatus.problems()}: members of the
 * configuration its transport has no address for (fatal at start: a node configured so would sit in
 * PRE_CANDIDATE forever), transport peers that are no members (harmless, usually a typo), and
 * whatever the transport itself reports (e.g. traffic rejected for another cluster id).
 *
 * <p>Thread: {@link #checkAtStart} and {@link #membershipChanged} on the loop; {@link #current}
 * from any thread.
 */
final class NodeProblems {

  private static final Logger log = LoggerFactory.getLogger(NodeProblems.class);

  private final NodeId id;
  private final Transport transport;
  private Membership checked; // loop only
  private volatile List<String> configProblems = List.of();

  NodeProblems(NodeId id, Transport transport) {
    this.id = id;
    this.transport = transport;
  }

  /**
   * @throws IllegalStateException naming the members of {@code membership} that the transport
   *     cannot reach, if any
   */
  void checkAtStart(Membership membership) {
    Optional<Set<NodeId>> peers = transport.peers();
    SortedSet<NodeId> missing = unreachableMembers(membership, peers);
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "node "
              + id
              + ": the transport has no address for members "
              + missing
              + " of the configuration "
              + membership
              + " (its peers are "
              + new TreeSet<>(peers.orElseThrow())
              + "); configure the same members in the transport and the membership");
    }
    membershipChanged(membership);
  }

  /**
   * The configuration in force is {@code membership}, and the transport has been told (so that the
   * peers of one that follows the configuration are compared after they followed it): recomputes
   * the problems if it changed.
   */
  void membershipChanged(Membership membership) {
    if (membership.equals(checked)) {
      return;
    }
    checked = membership;
    Optional<Set<NodeId>> peers = transport.peers();
    List<String> problems = new ArrayList<>();
    SortedSet<NodeId> missing = unreachableMembers(membership, peers);
    if (!missing.isEmpty()) {
      problems.add(
          "the transport has no address for members "
              + missing
              + " of the configuration "
              + membership
              + "; they can never be reached");
    }
    SortedSet<NodeId> strangers = new TreeSet<>();
    peers.ifPresent(
        ids ->
            ids.stream()
                .filter(p -> !p.equals(id) && !membership.contains(p))
                .forEach(strangers::add));
    if (!strangers.isEmpty()) {
      problems.add(
          "transport peers " + strangers + " are not members of the configuration " + membership);
    }
    if (!problems.equals(configProblems)) {
      problems.forEach(p -> log.warn("node {}: {}", id, p));
    }
    configProblems = List.copyOf(problems);
  }

  /** The configuration problems, then the transport's own. Any thread; never throws. */
  List<String> current() {
    List<String> fromTransport;
    try {
      fromTransport = transport.problems();
    } catch (RuntimeException e) {
      fromTransport = List.of("the transport failed to report its problems: " + e);
    }
    List<String> config = configProblems;
    if (fromTransport.isEmpty()) {
      return config;
    }
    List<String> all = new ArrayList<>(config);
    all.addAll(fromTransport);
    return all;
  }

  private SortedSet<NodeId> unreachableMembers(Membership membership, Optional<Set<NodeId>> peers) {
    SortedSet<NodeId> missing = new TreeSet<>();
    peers.ifPresent(
        ids ->
            membership.members().stream()
                .filter(m -> !m.equals(id) && !ids.contains(m))
                // a transport that follows the configuration learns this address from it
                .filter(m -> membership.address(m).isEmpty())
                .forEach(missing::add));
    return missing;
  }
}
