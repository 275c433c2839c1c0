package io.jangada.raft.core;

/** Invariant checks: a failure is a bug in the core (or a peer), never bad input to ignore. */
final class Check {

  private Check() {}

  static void state(boolean condition, String message) {
    if (!condition) {
      throw violated(message);
    }
  }

  /**
   * The exception for a broken invariant; for hot paths, which test the condition themselves so
   * that the message is built only when it fails.
   */
  static IllegalStateException violated(String message) {
    return new IllegalStateException("invariant violated: " + message);
  }

  static void argument(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
