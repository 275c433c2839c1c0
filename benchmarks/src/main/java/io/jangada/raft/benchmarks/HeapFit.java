package io.jangada.raft.benchmarks;

/**
 * Whether a run's state fits the benchmark's heap. Every node's {@link MapStateMachine} keeps every
 * put (unique keys), all nodes in one JVM: W4's "W1 with 4 KiB values" (220,000 puts) would need
 * about 2.8 GB of live map on 3 nodes, more than the whole {@code -Xmx2g} of BENCHMARK.md, and even
 * half of the heap live makes the young collections copy so much that their pauses, not the
 * library, set the tail latency. Such a run measures the collector, so it is refused up front with
 * what to change.
 */
final class HeapFit {
  private HeapFit() {}

  /** Heap per map entry beyond key and value: hash-map node, two {@code Bytes}, array headers. */
  static final long ENTRY_OVERHEAD_BYTES = 128;

  /** The share of the maximum heap the nodes' maps may fill by the end of a run. */
  static final double MAX_SHARE = 0.5;

  /** The heap the nodes' maps hold after {@code puts} puts of {@code valueBytes}-byte values. */
  static long stateBytes(int nodes, long puts, int valueBytes) {
    return nodes * puts * (Workload.KEY_BYTES + valueBytes + ENTRY_OVERHEAD_BYTES);
  }

  /**
   * Why the run does not fit a heap of {@code maxHeapBytes}, or {@code null} if it does.
   *
   * @param puts warm-up and measured puts together
   */
  static String problem(int nodes, long puts, int valueBytes, long maxHeapBytes) {
    long state = stateBytes(nodes, puts, valueBytes);
    if (state <= MAX_SHARE * maxHeapBytes) {
      return null;
    }
    long fitting = (long) (MAX_SHARE * maxHeapBytes) / stateBytes(nodes, 1, valueBytes);
    return String.format(
        java.util.Locale.ROOT,
        "%d nodes x %d puts of %d-byte values keep about %d MiB of state machine in the heap,"
            + " more than %.0f %% of the %d MiB heap: the run would measure the garbage collector."
            + " Use at most %d puts (warm-up included), or a larger -Xmx.",
        nodes,
        puts,
        valueBytes,
        state >> 20,
        MAX_SHARE * 100,
        maxHeapBytes >> 20,
        fitting);
  }
}
