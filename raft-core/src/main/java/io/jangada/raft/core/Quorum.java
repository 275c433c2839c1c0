package io.jangada.raft.core;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Every majority question of Raft, answered for one configuration: a simple majority of the voters,
 * or, during a joint change (thesis §4.3), a majority of the incoming voters <em>and</em> a
 * majority of the outgoing voters. The commit index, election results, CheckQuorum activity, lease
 * validity and ReadIndex acknowledgements all go through here, so no other class counts voters.
 *
 * <p>An empty half (the outgoing half of a simple configuration) agrees with everything, as in
 * etcd's {@code JointConfig}; a configuration without any voter (a joining node's) reaches no
 * quorum. Immutable.
 */
final class Quorum {

  /** The outcome of an election (or pre-vote) so far. */
  enum VoteResult {
    WON,
    LOST,
    PENDING
  }

  private final List<NodeId> incoming;
  private final List<NodeId> outgoing;

  private Quorum(Collection<NodeId> incoming, Collection<NodeId> outgoing) {
    this.incoming = List.copyOf(new TreeSet<>(incoming));
    this.outgoing = List.copyOf(new TreeSet<>(outgoing));
  }

  /** A simple majority of {@code voters}. */
  static Quorum simple(Collection<NodeId> voters) {
    return new Quorum(voters, List.of());
  }

  /** A majority of {@code incoming} and a majority of {@code outgoing}. */
  static Quorum joint(Collection<NodeId> incoming, Collection<NodeId> outgoing) {
    return new Quorum(incoming, outgoing);
  }

  /** The quorum of {@code membership}: joint while it is in a joint change. */
  static Quorum of(Membership membership) {
    return new Quorum(membership.voters(), membership.outgoingVoters());
  }

  /** The number of votes that forms a majority of {@code voters} voters. */
  static int majority(int voters) {
    return voters / 2 + 1;
  }

  /** Whether this is a joint quorum (two majorities). */
  boolean isJoint() {
    return !outgoing.isEmpty();
  }

  /** Every node whose answer counts, in either half, in id order. */
  SortedSet<NodeId> voters() {
    TreeSet<NodeId> all = new TreeSet<>(incoming);
    all.addAll(outgoing);
    return Collections.unmodifiableSortedSet(all);
  }

  /** Whether {@code id}'s answer counts in either half. */
  boolean isVoter(NodeId id) {
    return incoming.contains(id) || outgoing.contains(id);
  }

  /**
   * The highest index that a quorum has reached, given each voter's match index ({@code match} is
   * called for voters only). Joint: the lower of the two halves. 0 for a configuration without
   * voters.
   */
  long committedIndex(ToLongFunction<NodeId> match) {
    if (incoming.isEmpty() && outgoing.isEmpty()) {
      return 0;
    }
    return Math.min(committedIndex(incoming, match), committedIndex(outgoing, match));
  }

  private static long committedIndex(List<NodeId> voters, ToLongFunction<NodeId> match) {
    if (voters.isEmpty()) {
      return Long.MAX_VALUE; // an empty half agrees with anything
    }
    long[] sorted = new long[voters.size()];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = match.applyAsLong(voters.get(i));
    }
    java.util.Arrays.sort(sorted);
    // Ascending: a majority holds every index up to the majority-th highest.
    return sorted[sorted.length - majority(sorted.length)];
  }

  /**
   * The result of an election given the answers so far ({@code true}: granted); answers of nodes
   * that are not voters are ignored, missing ones are pending. Joint: won only if both halves
   * granted, lost as soon as either half can no longer grant.
   */
  VoteResult voteResult(Map<NodeId, Boolean> votes) {
    if (incoming.isEmpty() && outgoing.isEmpty()) {
      return VoteResult.PENDING; // nobody can win without voters
    }
    VoteResult in = voteResult(incoming, votes);
    VoteResult out = voteResult(outgoing, votes);
    if (in == VoteResult.LOST || out == VoteResult.LOST) {
      return VoteResult.LOST;
    }
    if (in == VoteResult.WON && out == VoteResult.WON) {
      return VoteResult.WON;
    }
    return VoteResult.PENDING;
  }

  private static VoteResult voteResult(List<NodeId> voters, Map<NodeId, Boolean> votes) {
    if (voters.isEmpty()) {
      return VoteResult.WON;
    }
    int yes = 0;
    int no = 0;
    for (NodeId voter : voters) {
      Boolean vote = votes.get(voter);
      if (vote == null) {
        continue;
      }
      if (vote) {
        yes++;
      } else {
        no++;
      }
    }
    int needed = majority(voters.size());
    if (yes >= needed) {
      return VoteResult.WON;
    }
    return voters.size() - no < needed ? VoteResult.LOST : VoteResult.PENDING;
  }

  /**
   * Whether the voters for which {@code acked} holds form a quorum: CheckQuorum activity, a fresh
   * lease, a confirmed ReadIndex round. False for a configuration without voters.
   */
  boolean reached(Predicate<NodeId> acked) {
    if (incoming.isEmpty() && outgoing.isEmpty()) {
      return false;
    }
    return reached(incoming, acked) && reached(outgoing, acked);
  }

  private static boolean reached(List<NodeId> voters, Predicate<NodeId> acked) {
    if (voters.isEmpty()) {
      return true;
    }
    int count = 0;
    for (NodeId voter : voters) {
      if (acked.test(voter)) {
        count++;
      }
    }
    return count >= majority(voters.size());
  }

  @Override
  public String toString() {
    return outgoing.isEmpty() ? incoming.toString() : incoming + "&&" + outgoing;
  }
}
