package io.jangada.raft.core;

/** {@link SimulationTest} on 5-node clusters. */
class SimulationFiveNodesTest extends SimulationTest {

  @Override
  int size() {
    return 5;
  }
}
