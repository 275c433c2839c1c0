package io.jangada.raft.examples.kv.server;

import java.util.Locale;

/** How fresh a read must be; the {@code ?consistency=} query parameter of a GET. */
public enum Consistency {
  /** Sees every write acknowledged before the read started (ReadIndex round on the leader). */
  LINEARIZABLE,
  /** Linearizable while the leader's lease holds (no quorum round; relies on bounded drift). */
  LEASE,
  /** Whatever this node has applied; may miss recent writes. */
  STALE;

  /**
   * Parses {@code linearizable}, {@code lease} or {@code stale} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Consistency parse(String text) {
    for (Consistency c : values()) {
      if (c.name().equalsIgnoreCase(text)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "consistency must be linearizable, lease or stale, got '" + text + "'");
  }

  /** The lower-case name used in URLs. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
