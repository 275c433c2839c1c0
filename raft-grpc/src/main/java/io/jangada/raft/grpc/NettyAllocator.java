package io.jangada.raft.grpc;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator;

/**
 * The Netty buffer allocator of the transport's channels and servers (and {@link RaftClient}'s
 * channels): gRPC's own settings, except that <em>every</em> thread gets a buffer cache, not only
 * Netty's event loops.
 *
 * <p>Why: messages are written by the threads that produce them (a node's loop, its log writer, its
 * applier; see {@link PeerChannel}), so gRPC frames them into buffers allocated on those threads.
 * Without a cache each such allocation, and the event loop's release of it after the write, takes a
 * lock of the shared pool, and the threads contend for it (visible in profiles as {@code
 * PoolArena.allocate}/{@code free} and {@code LockSupport.unpark} under the pool's lock). With a
 * cache an allocation is thread-local and a release from another thread goes to a lock-free queue.
 * The caches are bounded (Netty's default sizes) and are freed when their thread ends.
 *
 * <p>One allocator for the process, shared like gRPC's default, so the memory it pools does not
 * grow with the number of nodes or channels. Thread-safe.
 */
final class NettyAllocator {

  /** gRPC's maximum chunk order (2 MiB chunks with 8 KiB pages). */
  private static final int MAX_ORDER = 8;

  static final ByteBufAllocator SHARED =
      new PooledByteBufAllocator(
          PooledByteBufAllocator.defaultPreferDirect(),
          PooledByteBufAllocator.defaultNumHeapArena(),
          PooledByteBufAllocator.defaultPreferDirect()
              ? PooledByteBufAllocator.defaultNumDirectArena()
              : 0,
          PooledByteBufAllocator.defaultPageSize(),
          MAX_ORDER,
          PooledByteBufAllocator.defaultSmallCacheSize(),
          PooledByteBufAllocator.defaultNormalCacheSize(),
          true); // useCacheForAllThreads

  private NettyAllocator() {}
}
