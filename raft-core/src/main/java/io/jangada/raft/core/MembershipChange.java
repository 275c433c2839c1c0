package io.jangada.raft.core;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link RaftCore#proposeMembership(Membership, long)}: the configuration change was
 * appended, this node is not the leader, or the change was refused (nothing was appended).
 *
 * <p>How a change completes: an {@link Accepted} change takes effect on every node as soon as the
 * entry is in its log (thesis §4.1). A single-server change is complete once its entry commits. A
 * joint change first appends the joint configuration ({@link Accepted#joint()}); once that entry
 * commits the leader appends the target configuration by itself, and the change is complete once
 * that second entry commits. A driver therefore completes a caller's request when a committed
 * {@link io.jangada.raft.model.EntryType#MEMBERSHIP} entry at or after {@link Accepted#index()}
 * decodes to a configuration that is not joint; if leadership changes first, the outcome is unknown
 * (the entry may still commit under the next leader, which then also finishes a joint change).
 */
public sealed interface MembershipChange {

  /** Why a change was refused. */
  enum Reason {
    /**
     * Another configuration change is not committed yet (or a joint change is still being left):
     * only one change may be in flight; retry once it completed. Changes are never queued.
     */
    CHANGE_IN_PROGRESS,
    /** The caller's expected configuration index is not the index of the configuration in force. */
    STALE_CONFIGURATION,
    /**
     * A node that would become a voter is not caught up: its log is more than {@link
     * RaftConfig#maxPromotionLag()} entries behind the leader's, it has not replicated the
     * configuration in force, the leader has not heard from it within the election timeout, or it
     * is not a member yet (add it as a learner first).
     */
    NOT_CAUGHT_UP,
    /** The leader cannot change the configuration right now (see the message); retry later. */
    LEADER_NOT_READY,
    /** The target is not a valid next configuration (see the message). */
    INVALID
  }

  /**
   * The change was appended at {@code index} in {@code term}.
   *
   * @param index the index of the appended configuration entry
   * @param term the leader's term
   * @param configuration the configuration appended, now in force on the leader: {@code target}
   *     itself for a single-server change, the joint configuration otherwise
   * @param target the configuration the change ends in
   */
  record Accepted(long index, long term, Membership configuration, Membership target)
      implements MembershipChange {
    public Accepted {
      Objects.requireNonNull(configuration, "configuration");
      Objects.requireNonNull(target, "target");
    }

    /** Whether the change goes through a joint configuration (more than one voter changes). */
    public boolean joint() {
      return configuration.isJoint();
    }
  }

  /** This node is not the leader; {@code leaderHint} is the leader it knows, if any. */
  record NotLeader(Optional<NodeId> leaderHint) implements MembershipChange {
    public NotLeader {
      Objects.requireNonNull(leaderHint, "leaderHint");
    }
  }

  /** Nothing was appended, for {@code reason}; {@code message} says more, for humans. */
  record Refused(Reason reason, String message) implements MembershipChange {
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }
}
