package io.jangada.raft.core;

import io.jangada.raft.RaftStatus;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The configuration changes of {@link SimCluster#withMembershipChurn}: during the faults the
 * cluster asks this class every ~15 ticks to request one random change from the leader, if any: add
 * a learner, promote one, remove a voter (the leader too) or a learner, demote a voter, replace a
 * voter by a learner or swap two voters (both joint changes). Refused changes are part of the test.
 * It draws from the cluster's main generator, in the order the cluster drew before this class was
 * split out of it, so every seed keeps its schedule. Not thread-safe.
 */
final class SimMembershipChurn {

  private final SimCluster cluster;
  private final SplittableRandom random;
  // The initial number of voters: churn keeps a majority of them as voters.
  private final int size;
  long changes;
  long refusals;

  SimMembershipChurn(SimCluster cluster, SplittableRandom random, int size) {
    this.cluster = cluster;
    this.random = random;
    this.size = size;
  }

  /** Asks the leader, if any, for one random configuration change. */
  void change() {
    Optional<SimNode> found = cluster.leader();
    if (found.isEmpty()) {
      return;
    }
    SimNode leader = found.get();
    RaftStatus s = leader.core().status();
    Membership m = s.membership().target();
    List<NodeId> voters = new ArrayList<>(m.voters());
    List<NodeId> learners = new ArrayList<>(m.learners());
    List<NodeId> outsiders = new ArrayList<>();
    for (NodeId id : cluster.nodes.keySet()) {
      if (!m.contains(id)) {
        outsiders.add(id);
      }
    }
    int minVoters = size / 2 + 1;
    if (cluster.nodes.values().stream().anyMatch(SimNode::missingCommitted)) {
      // A node that lost synced entries abstains from elections until a leader refilled it; with
      // two voters the other one alone could never be elected again (a known limit, see
      // LostTail), so the operator's churn keeps three voters while one is recovering.
      minVoters = Math.max(minVoters, 3);
    }
    Membership target;
    String what;
    int op = random.nextInt(7);
    if (op == 0 && !outsiders.isEmpty()) {
      NodeId n = pick(outsiders);
      target = m.withLearner(n, Optional.of("sim://" + n));
      what = "add learner " + n;
    } else if (op == 1 && !learners.isEmpty()) {
      NodeId n = pick(learners);
      target = m.withPromoted(n);
      what = "promote " + n;
    } else if (op == 2 && voters.size() > minVoters) {
      NodeId n = pick(voters);
      target = m.without(n);
      what = "remove voter " + n + (n.equals(leader.id) ? " (the leader)" : "");
    } else if (op == 3 && !learners.isEmpty()) {
      NodeId n = pick(learners);
      target = m.without(n);
      what = "remove learner " + n;
    } else if (op == 4 && voters.size() > minVoters) {
      NodeId n = pick(voters);
      target = m.withLearner(n, Optional.empty());
      what = "demote " + n;
    } else if (op == 5 && !learners.isEmpty()) {
      NodeId in = pick(learners);
      NodeId out = pick(voters);
      target = m.withPromoted(in).withLearner(out, Optional.empty());
      what = "replace " + out + " by " + in + " (joint)";
    } else if (op == 6 && !learners.isEmpty() && voters.size() > minVoters) {
      NodeId in = pick(learners);
      NodeId out1 = pick(voters);
      NodeId out2 = pick(voters);
      target = m.withPromoted(in).without(out1);
      if (!out2.equals(out1)) {
        target = target.without(out2);
      }
      what = "promote " + in + ", remove " + out1 + " and " + out2 + " (joint)";
    } else {
      return;
    }
    long expected = random.nextBoolean() ? RaftCore.ANY_CONFIGURATION : s.membershipIndex();
    if (!cluster.lostEntriesSafeIn(leader, target)) {
      // The storage fault is survivable only while the entries a node lost stay held by a quorum
      // of the others (see SimCluster.lostEntriesSafeIn); the operator waits with this change.
      cluster.event(leader.id + " membership: " + what + " postponed (a node lost entries)");
      return;
    }
    MembershipChange result = leader.core().proposeMembership(target, expected);
    if (result instanceof MembershipChange.Accepted) {
      changes++;
    } else {
      refusals++;
    }
    cluster.event(leader.id + " membership: " + what + " -> " + result);
  }

  private NodeId pick(List<NodeId> ids) {
    return ids.get(random.nextInt(ids.size()));
  }
}
