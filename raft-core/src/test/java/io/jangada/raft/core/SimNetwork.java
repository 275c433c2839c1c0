package io.jangada.raft.core;

import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A simulated network in virtual time: each message is dropped, duplicated and delayed at random
 * when sent (a few stragglers by up to 40 ticks), and delivered in random order among those due, so
 * messages overtake each other. Links can be cut one way or both ways; a message on a cut link is
 * lost when it would be delivered. Deterministic for a given random generator; not thread-safe.
 */
final class SimNetwork {

  /** A message on the wire, due at virtual time {@code deliverAt}. */
  record InFlight(long deliverAt, Message message) {}

  private final SplittableRandom random;
  private final List<InFlight> wire = new ArrayList<>();
  private final TreeSet<String> cut = new TreeSet<>();
  double dropRate;
  double duplicateRate;
  double straggleRate;
  private static final int STRAGGLE_TICKS = 40;
  int maxDelay;
  long sent;
  long dropped;

  SimNetwork(SplittableRandom random) {
    this.random = random;
  }

  /** Puts {@code m} on the wire at time {@code now}; returns how many copies (0 if dropped). */
  int send(Message m, long now) {
    sent++;
    if (random.nextDouble() < dropRate) {
      dropped++;
      return 0;
    }
    int copies = random.nextDouble() < duplicateRate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = maxDelay == 0 ? 0 : random.nextInt(maxDelay + 1);
      if (random.nextDouble() < straggleRate) {
        delay += random.nextInt(STRAGGLE_TICKS); // a straggler arriving terms later
      }
      wire.add(new InFlight(now + delay, m));
    }
    return copies;
  }

  /** The indexes of the messages due at {@code now}, in wire order. */
  List<Integer> due(long now) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < wire.size(); i++) {
      if (wire.get(i).deliverAt() <= now) {
        out.add(i);
      }
    }
    return out;
  }

  Message peek(int index) {
    return wire.get(index).message();
  }

  Message take(int index) {
    return wire.remove(index).message();
  }

  int size() {
    return wire.size();
  }

  boolean isCut(NodeId from, NodeId to) {
    return cut.contains(from + "->" + to);
  }

  void cutOneWay(NodeId from, NodeId to) {
    cut.add(from + "->" + to);
  }

  void cutBothWays(NodeId a, NodeId b) {
    cutOneWay(a, b);
    cutOneWay(b, a);
  }

  /** Restores every link. */
  void heal() {
    cut.clear();
  }

  /** The cut links, e.g. {@code [n1->n2, n2->n1]}. */
  String describeCuts() {
    return cut.toString();
  }
}
