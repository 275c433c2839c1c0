package io.jangada.raft.core;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a follower forwarded to the leader (thesis §6.4), waiting for its ReadIndexResponse. They
 * fail when the leader changes or no answer comes within the expiry.
 */
final class ForwardedReads {

  // requestId -> tick at which it was forwarded
  private final TreeMap<Long, Long> pending = new TreeMap<>();

  void add(long requestId, long now) {
    pending.put(requestId, now);
  }

  /** Whether {@code requestId} was pending; it is not any more. */
  boolean complete(long requestId) {
    return pending.remove(requestId) != null;
  }

  void failAll(List<ReadState> out) {
    for (Long requestId : pending.keySet()) {
      out.add(new ReadState(requestId, 0, false));
    }
    pending.clear();
  }

  void expire(long now, long expiryTicks, List<ReadState> out) {
    Iterator<Map.Entry<Long, Long>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Long> e = it.next();
      if (now - e.getValue() >= expiryTicks) {
        out.add(new ReadState(e.getKey(), 0, false));
        it.remove();
      }
    }
  }
}
