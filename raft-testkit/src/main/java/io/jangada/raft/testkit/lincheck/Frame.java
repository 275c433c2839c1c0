package io.jangada.raft.testkit.lincheck;

import java.util.List;

/**
 * One linearized operation on the search stack; frames form an immutable linked list, so the
 * longest ordering can be kept by reference.
 */
final class Frame<S> {
  static final int OK = 0;
  static final int FORCED = 1; // a read-only ok operation taken without alternatives
  static final int INFO = 2;

  final int kind;
  final int op;
  final S before;
  final S after;
  final List<S> successors; // info frames: the alternatives for resuming
  final int successorIndex;
  final int limit; // info frames: the earliest completion in the list when pushed
  final Frame<S> parent;
  final int depth;
  final int okDepth;

  Frame(
      int kind,
      int op,
      S before,
      S after,
      List<S> successors,
      int successorIndex,
      int limit,
      Frame<S> parent) {
    this.kind = kind;
    this.op = op;
    this.before = before;
    this.after = after;
    this.successors = successors;
    this.successorIndex = successorIndex;
    this.limit = limit;
    this.parent = parent;
    this.depth = parent == null ? 1 : parent.depth + 1;
    this.okDepth = (parent == null ? 0 : parent.okDepth) + (kind == INFO ? 0 : 1);
  }
}
