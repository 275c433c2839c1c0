package io.jangada.raft.core;

import io.jangada.raft.Role;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A nemesis for the voter's lease promise across restarts (thesis §6.4.1, {@link VoterLease}): it
 * restarts a voter whose heartbeat acknowledgements hold up a leader's lease, while another voter
 * with as long a log is ready to campaign and the leader keeps answering lease reads.
 *
 * <ol>
 *   <li>The network loses every message from the leader to a follower {@code x}, which therefore
 *       times out first, and every message but heartbeats to the other follower {@code y}, so that
 *       the leader's lease rests on {@code y} while {@code y}'s log grows no longer than {@code
 *       x}'s ({@code x} is the one whose log was not shorter; a quiet spell without writes in a
 *       read-heavy workload, the one leases are for, has the same effect).
 *   <li>A few ticks later it also loses everything to and from the leader (which keeps its
 *       acknowledgements and learns of no new term), {@code y} crashes and restarts at once, and
 *       for the next election timeout a client at the old leader asks for a lease read every tick.
 * </ol>
 *
 * <p>A restarted {@code y} that kept its promise ignores {@code x}'s campaign until the lease is
 * over; one that forgot it elects {@code x} at once, whose commits the old leader's lease reads
 * miss: the read-index floor check catches that. While it acts the clocks keep within the drift the
 * lease margin covers (as with -Dsim.boundedDrift). Its own generator draws when to strike, so
 * seeds without lease reads keep their schedule.
 */
final class SimLeaseRestarts {

  /** What the nemesis needs from the cluster. */
  interface Cluster {
    Map<NodeId, SimNode> nodes();

    /** Crashes {@code node} and reopens it from its durable state at once. */
    void crashAndRestart(SimNode node);

    /** Asks {@code node} for a lease read with the current read floor. */
    void leaseRead(SimNode node);

    void log(String line);
  }

  private final Cluster cluster;
  private final SplittableRandom random;
  private final int electionTicks;
  private SimNode leader; // null while idle
  private SimNode x;
  private SimNode y;
  private long strikeAt;
  private long until; // the plan ends after this tick
  private boolean struck;
  long strikes;

  SimLeaseRestarts(Cluster cluster, long seed, int electionTicks) {
    this.cluster = cluster;
    this.random = new SplittableRandom(seed ^ 0x1EA5_E4E5L);
    this.electionTicks = electionTicks;
  }

  /** Ends the plan under way, if any: the faults are over. */
  void stop() {
    leader = null;
  }

  /** Whether a plan is under way (the clocks then keep within the bounded drift). */
  boolean active() {
    return leader != null;
  }

  /** Whether the network loses {@code m} for the plan. */
  boolean loses(Message m) {
    if (leader == null) {
      return false;
    }
    if (struck) {
      return m.from().equals(leader.id) || m.to().equals(leader.id);
    }
    return m.from().equals(leader.id)
        && (m.to().equals(x.id) || (m.to().equals(y.id) && !(m instanceof Message.Heartbeat)));
  }

  /** One tick of virtual time with faults on and lease reads. */
  void tick(long now) {
    if (leader == null) {
      if (random.nextInt(40) == 0) {
        prepare(now);
      }
      return;
    }
    if (now > until) {
      cluster.log("lease nemesis: over");
      leader = null;
      return;
    }
    if (!struck && now >= strikeAt) {
      strike(now);
    }
    if (struck && leader.acceptsInput()) {
      cluster.leaseRead(leader);
    }
  }

  private void prepare(long now) {
    for (SimNode node : cluster.nodes().values()) {
      if (node.acceptsInput() && node.core().status().role() == Role.LEADER) {
        List<SimNode> followers = new ArrayList<>();
        for (NodeId id : node.core().status().membership().target().voters()) {
          SimNode other = cluster.nodes().get(id);
          if (other != node && other != null && other.acceptsInput()) {
            followers.add(other);
          }
        }
        if (followers.size() < 2) {
          return;
        }
        SimNode a = followers.remove(random.nextInt(followers.size()));
        SimNode b = followers.get(random.nextInt(followers.size()));
        boolean aNotShorter = a.core().raftLog().lastIndex() >= b.core().raftLog().lastIndex();
        leader = node;
        x = aNotShorter ? a : b;
        y = aNotShorter ? b : a;
        struck = false;
        strikeAt = now + electionTicks / 2 + random.nextInt(electionTicks / 2 + 1);
        until = strikeAt + electionTicks;
        cluster.log(
            "lease nemesis: "
                + leader.id
                + " loses its messages to "
                + x.id
                + " and all but heartbeats to "
                + y.id
                + "; at t"
                + strikeAt
                + " it is cut off and "
                + y.id
                + " restarts");
        return;
      }
    }
  }

  private void strike(long now) {
    struck = true;
    if (!leader.acceptsInput() || leader.core().status().role() != Role.LEADER || !y.isUp()) {
      until = now; // nothing to do: the plan ends
      return;
    }
    cluster.log("lease nemesis: " + leader.id + " cut off, " + y.id + " restarts");
    cluster.crashAndRestart(y);
    strikes++;
  }
}
