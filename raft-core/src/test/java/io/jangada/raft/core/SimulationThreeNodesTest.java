package io.jangada.raft.core;

/** {@link SimulationTest} on 3-node clusters. */
class SimulationThreeNodesTest extends SimulationTest {

  @Override
  int size() {
    return 3;
  }
}
