package io.jangada.raft.core;

import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.NodeId;
import java.util.List;

/**
 * A follower's successful AppendResponses, one per leader and Ready: when a follower handles
 * several AppendRequests before its next {@link Ready} (a pipelined batch, or entries followed by a
 * commit-index update), one cumulative acknowledgement of the highest matching index replaces the
 * earlier successful ones (etcd and the thesis acknowledge each request). The leader ends with the
 * same match index and frees the same in-flight slots, since a success only ever raises the match
 * index; it may take one more round to move a follower from snapshot via probe to replicate, which
 * two responses did at once. Rejections are never merged, and a success is merged only with the
 * latest AppendResponse to the same leader, in the same term, so an acknowledgement never moves
 * before a rejection sent between them.
 */
final class Acks {
  private Acks() {}

  /**
   * Adds {@code from}'s success for {@code matchIndex} to {@code out} (the messages not handed out
   * yet), replacing the latest AppendResponse to {@code leader} if that one is a success of the
   * same term; the merged acknowledgement carries the higher of the two indexes and goes last.
   */
  static void acknowledge(
      List<Message> out, NodeId from, NodeId leader, long term, long matchIndex) {
    long match = matchIndex;
    int last = out.size() - 1;
    // Usually the list is empty or ends with the previous acknowledgement: no loop on this path, so
    // C2 compiles no loop into the follower's RaftCore.dispatch (whose first compilation the loop's
    // limit check deoptimized in every recorded W1 run); the search runs in its own method.
    int latest =
        last < 0 || isResponseTo(out.get(last), leader) ? last : latestBefore(out, leader, last);
    if (latest >= 0
        && out.get(latest) instanceof AppendResponse r
        && r.success()
        && r.term() == term) {
      out.remove(latest);
      match = Math.max(match, r.matchIndex());
    }
    out.add(new AppendResponse(from, leader, term, true, match, 0, 0));
  }

  /** The position of the latest AppendResponse to {@code leader} before {@code end}, or -1. */
  private static int latestBefore(List<Message> out, NodeId leader, int end) {
    for (int i = end - 1; i >= 0; i--) {
      if (isResponseTo(out.get(i), leader)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isResponseTo(Message m, NodeId leader) {
    return m instanceof AppendResponse r && r.to().equals(leader);
  }
}
