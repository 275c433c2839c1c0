package io.jangada.raft;

import java.util.List;
import java.util.Objects;

/**
 * A node's health for probes (a load balancer, Kubernetes, an operator's script).
 *
 * @param live the node works: it is running, its loop, log-writer and apply threads each finished a
 *     probe task recently, and its storage and state machine have not failed. A node that is not
 *     live must be restarted.
 * @param ready the node can serve requests: it is live, knows a leader, and has applied everything
 *     up to the leader's commit index as a read index (ReadIndex) confirmed it after starting (so a
 *     restarted node is not ready while it replays its log or catches up on what it missed).
 * @param problems why it is not live or not ready, one short sentence each; empty when both hold
 */
public record RaftHealth(boolean live, boolean ready, List<String> problems) {

  public RaftHealth {
    problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
  }
}
