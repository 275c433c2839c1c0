package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.buffer.PoolArenaMetric;
import io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The transport's allocator serves an ordinary thread (not a Netty event loop; the nodes' threads
 * that write frames are such threads) from a per-thread cache: allocating and releasing a buffer
 * over and over reaches the shared pool (and its locks) once, not every time as with gRPC's default
 * allocator, which the test checks for comparison.
 */
class NettyAllocatorTest {

  private static final int CYCLES = 20;

  @Test
  void anOrdinaryThreadReusesItsReleasedBuffersWithoutThePool() throws Exception {
    assertThat(poolAllocations((PooledByteBufAllocator) NettyAllocator.SHARED)).isLessThan(3);
  }

  @Test
  void withoutCachesForAllThreadsEveryAllocationReachesThePool() throws Exception {
    PooledByteBufAllocator uncached =
        new PooledByteBufAllocator(
            true,
            0,
            1,
            PooledByteBufAllocator.defaultPageSize(),
            8,
            PooledByteBufAllocator.defaultSmallCacheSize(),
            PooledByteBufAllocator.defaultNormalCacheSize(),
            false);
    assertThat(poolAllocations(uncached)).isEqualTo(CYCLES);
  }

  /** Allocations the pool served (not a thread cache) for CYCLES allocate-release rounds. */
  private static long poolAllocations(PooledByteBufAllocator allocator) throws Exception {
    AtomicLong served = new AtomicLong();
    Thread plain =
        new Thread(
            () -> {
              long before = smallAllocations(allocator);
              for (int i = 0; i < CYCLES; i++) {
                allocator.directBuffer(4096).release();
              }
              served.set(smallAllocations(allocator) - before);
            });
    plain.start();
    plain.join();
    return served.get();
  }

  private static long smallAllocations(PooledByteBufAllocator allocator) {
    long sum = 0;
    for (PoolArenaMetric arena : allocator.metric().directArenas()) {
      sum += arena.numSmallAllocations() + arena.numNormalAllocations();
    }
    return sum;
  }
}
