package io.jangada.raft.examples.kv.demo;

/**
 * One demo story: how big a cluster it needs and what it does to it. A scenario drives the
 * cluster's virtual time itself and adds {@link DemoCluster#note notes} that tell the story; it
 * must end with every node up and the network healed, so that the final state can be compared.
 */
interface Scenario {

  /** The name on the command line, e.g. {@code drop-leader}. */
  String name();

  /** One line saying what the scenario shows. */
  String summary();

  /** How many nodes it runs. */
  default int nodes() {
    return 3;
  }

  /** Snapshot every this many applied entries; 0 for never. */
  default long snapshotThreshold() {
    return 0;
  }

  /** Plays the story on {@code cluster}. */
  void play(DemoCluster cluster);
}
