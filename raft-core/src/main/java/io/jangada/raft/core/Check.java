package io.jangada.raft.core;

/** Invariant checks: a failure is a bug in the core (or a peer), never bad input to ignore. */
final class Check {

  private Check() {}

  static void state(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException("invariant violated: " + message);
    }
  }

  static void argument(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
